"""Progress of long work: to Dagster's log (whose console logger shows it in the terminal of
``huizong run``), or to the terminal when there is no log."""

from __future__ import annotations

import logging
import sys


def report(log: logging.Logger | logging.LoggerAdapter | None, what: str, i: int, n: int, detail: str = "") -> None:
    """Every 10% (and the last item), so a province run shows it is moving."""
    step = max(1, n // 10)
    if i != n and i % step:
        return
    message = f"{what}: {i}/{n}" + (f" ({detail})" if detail else "")
    if log is not None:
        log.info(message)
    else:
        print(message, file=sys.stderr, flush=True)
