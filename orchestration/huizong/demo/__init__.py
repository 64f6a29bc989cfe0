"""Demo data: a fictional registry, an inbox of township submissions in every layout of
FORMS.md §4 with the mistakes of §5, and the answers. See ``huizong.demo.generator``."""

from __future__ import annotations

__all__ = ["generate", "GeneratedTruth"]


def __getattr__(name: str):
    if name in __all__:
        from huizong.demo import generator

        return getattr(generator, name)
    raise AttributeError(name)
