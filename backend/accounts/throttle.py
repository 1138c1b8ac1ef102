"""Sign-in throttling: slower after repeated failures, a temporary lock per account and address.

Failures are counted in windows (15 minutes) per account (its normalised email), per client address,
and per account-and-address pair:
- after `slow_after` failures of the account or of the address, each further attempt waits, twice as
  long each time up to `max_delay` (a few seconds: the owner of the account still gets in);
- after `lock_after` failures of one pair, that pair is locked for `lock_seconds`. The lock is for
  that address only, and it ends on its own: an attacker elsewhere can slow a victim down, never
  lock them out, and nobody can lock anyone out for good;
- a success clears the account's and the pair's failures (not the address's: signing in to one's own
  account must not buy an attacker fresh guesses at others).

An attempt counts as failed from the moment it is checked until `succeeded()` takes it back, so
attempts sent in parallel cannot all pass before the first failure is recorded: the `lock_after`
+1st attempt in flight is refused. An attempt whose outcome is never reported stays a failure.
Emails are stored hashed: the store may be a Redis that others can read.

Usage: `decision = await throttle.check(email, address)`; refuse when not `decision.allowed` (retry
after `decision.retry_after` s), else sleep `decision.delay`, verify the password, then call
`failed()` or `succeeded()`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # only a type: the throttle runs on any counting store and imports no web framework
    from backend.counters import CountingStore


@dataclass(frozen=True, slots=True)
class ThrottleDecision:
    """Whether a sign-in attempt may go ahead, and when."""

    allowed: bool
    """False: refuse the attempt without looking at the password."""
    delay: float
    """Seconds to wait before checking the password (0 for the first few attempts)."""
    retry_after: float
    """When refused, seconds until this account may be tried again from this address."""


class SignInThrottle:
    """Counts sign-in failures in a `CountingStore` and decides how each attempt is treated."""

    def __init__(
        self,
        store: CountingStore,
        *,
        slow_after: int = 5,
        lock_after: int = 10,
        window_seconds: float = 15 * 60,
        lock_seconds: float = 15 * 60,
        base_delay: float = 0.25,
        max_delay: float = 4.0,
    ) -> None:
        self.store = store
        self.slow_after = slow_after
        self.lock_after = lock_after
        self.window_seconds = window_seconds
        self.lock_seconds = lock_seconds
        self.base_delay = base_delay
        self.max_delay = max_delay

    def _keys(self, email: str, address: str) -> tuple[str, str, str, str]:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return (
            f"account:{account}",
            f"address:{address}",
            f"pair:{account}:{address}",
            f"lock:{account}:{address}",
        )

    def _delay(self, failures: int) -> float:
        if failures < self.slow_after:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(failures - self.slow_after, 32)))

    async def _locked_for(self, lock: str) -> float:
        if await self.store.get(lock) is None:
            return 0.0
        left = await self.store.expires_in(lock)
        return float(max(1, left if left is not None and left > 0 else 1))

    async def _lock(self, pair: str, lock: str) -> None:
        # The pair's count is set to the threshold for as long as the lock, and first: attempts in
        # flight that passed the lock check before the lock exists still count past the threshold
        # (deleting the count let 16 of 40 parallel attempts through), and once the lock ends the
        # count has ended too, so the pair starts afresh.
        expires_in = timedelta(seconds=self.lock_seconds)
        await self.store.set(pair, b"%d" % self.lock_after, expires_in=expires_in)
        await self.store.set(lock, b"1", expires_in=expires_in)

    async def check(self, email: str, address: str) -> ThrottleDecision:
        """Decide on an attempt to sign in as `email` from `address`, and count it as failed."""
        account, source, pair, lock = self._keys(email, address)
        locked_for = await self._locked_for(lock)
        if locked_for:
            return ThrottleDecision(allowed=False, delay=0.0, retry_after=locked_for)
        attempts = await self.store.increment(pair, self.window_seconds)
        if attempts.value > self.lock_after:  # more attempts in flight than the lock allows
            await self._lock(pair, lock)
            return ThrottleDecision(allowed=False, delay=0.0, retry_after=self.lock_seconds)
        by_account = await self.store.increment(account, self.window_seconds)
        by_address = await self.store.increment(source, self.window_seconds)
        earlier = max(by_account.value, by_address.value) - 1
        return ThrottleDecision(allowed=True, delay=self._delay(earlier), retry_after=0.0)

    async def failed(self, email: str, address: str) -> None:
        """The attempt failed (it is already counted): lock the pair once it has failed enough."""
        _, _, pair, lock = self._keys(email, address)
        failures = await self.store.get(pair)
        if failures is not None and int(failures) >= self.lock_after:
            await self._lock(pair, lock)

    async def succeeded(self, email: str, address: str) -> None:
        """The attempt succeeded: clear the account's and the pair's failures, take back the address's."""
        account, source, pair, lock = self._keys(email, address)
        await self.store.increment(source, self.window_seconds, step=-1)
        for key in (account, pair, lock):
            await self.store.delete(key)
