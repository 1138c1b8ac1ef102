"""A background step repeated at an interval, whose failures are logged once per streak."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any


async def repeat_forever(
    step: Callable[[], Awaitable[Any]], seconds: float, what: str, log: logging.Logger
) -> None:
    """Run `step` every `seconds` until cancelled.

    The first failure of a streak is logged with its traceback, the next ones at debug level, and
    the first success after them says the streak is over: a database that stays away for an hour
    writes three lines, not one per interval.

    Args:
        step: One pass.
        seconds: The pause after each pass.
        what: What a pass does, for the log (`reconciling runs`).
        log: The caller's logger.
    """
    failures = 0
    while True:
        try:
            await step()
        except Exception:
            failures += 1
            if failures == 1:
                log.exception("%s failed; retrying every %g s", what, seconds)
            else:
                log.debug("%s failed again (%d in a row)", what, failures)
        else:
            if failures:
                log.info("%s works again after %d failure(s)", what, failures)
            failures = 0
        await asyncio.sleep(seconds)
