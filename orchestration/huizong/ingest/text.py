"""Fast paths over ``huizong.normalize`` for the reader's hot loops.

A sheet has thousands of cells and most are numbers or plain ASCII; ``compact`` on them
would run NFKC and OpenCC for nothing (and fill its cache with figures). These helpers give
exactly ``compact(cell_text(value))`` for every input, just cheaper for the common ones.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from huizong.normalize import _DASHES, compact, simplify

_SPACES = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """A cell as the text a person sees (integers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


@lru_cache(maxsize=1)
def _t2s_keys() -> tuple[frozenset[str], tuple[str, ...]]:
    """The characters OpenCC's t2s converts, and the few t2s phrases made of none of them:
    a text holding neither is its own simplified form (a phrase of the dictionary always
    holds one of its characters, but for these)."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    with open(folder / "TSCharacters.txt", encoding="utf-8") as fh:
        chars = frozenset(k for k in (line.split("\t", 1)[0].strip() for line in fh) if k)
    singles = frozenset(k for k in chars if len(k) == 1)
    with open(folder / "TSPhrases.txt", encoding="utf-8") as fh:
        phrases = [line.split("\t", 1)[0].strip() for line in fh]
    odd = tuple(p for p in phrases if p and singles.isdisjoint(p)) + tuple(k for k in chars if len(k) > 1)
    return singles, odd


def _unchanged_by_t2s(s: str) -> bool:
    singles, odd = _t2s_keys()
    return singles.isdisjoint(s) and not any(p in s for p in odd)


@lru_cache(maxsize=65536)
def fast_simplify(text: str) -> str:
    """``simplify(text)``, without OpenCC when no character could change."""
    if text.isascii():
        return text.replace("~", "-") if "~" in text else text
    s = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return s if _unchanged_by_t2s(s) else simplify(text)


@lru_cache(maxsize=200000)
def fast_compact(text: str) -> str:
    """``compact(text)``, without OpenCC when no character could change."""
    if text.isascii():
        s = _SPACES.sub("", text)
        return s.replace("~", "-") if "~" in s else s
    s = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if _unchanged_by_t2s(s):
        return _SPACES.sub("", s)
    return compact(text)


def ctext(value: Any) -> str:
    """``compact(cell_text(value))``."""
    if value is None:
        return ""
    t = type(value)
    if t is float:
        return cell_text(value)
    if t is str:
        if not value:
            return ""
        if value.isascii():
            # NFKC and t2s leave ASCII alone; the only dash mapping in ASCII is '~' -> '-'.
            s = _SPACES.sub("", value)
            return s.replace("~", "-") if "~" in s else s
        return fast_compact(value)
    return fast_compact(cell_text(value))


def is_empty(value: Any) -> bool:
    """True when the cell shows nothing (``ctext(value) == ''``)."""
    if value is None:
        return True
    if type(value) is str:
        return not value or (value.isspace() or not ctext(value))
    return False
