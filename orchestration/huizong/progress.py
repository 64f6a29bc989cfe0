"""Progress of long work, to the terminal (rich) and to Dagster's log."""

from __future__ import annotations

import logging
import sys
import time

_last: dict[str, float] = {}


def report(log: logging.Logger | None, what: str, i: int, n: int, detail: str = "") -> None:
    """Log every 10% (and the last item) so a province run shows it is moving."""
    step = max(1, n // 10)
    if i != n and i % step:
        return
    message = f"{what}: {i}/{n}" + (f" ({detail})" if detail else "")
    if log is not None:
        log.info(message)
    now = time.monotonic()
    if sys.stderr.isatty() or now - _last.get(what, 0) > 0:
        print(message, file=sys.stderr, flush=True)
        _last[what] = now
