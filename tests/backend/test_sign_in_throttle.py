"""Sign-in throttling on a memory store and on a real Redis: slower, then locked per address, not for good."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from backend.accounts.throttle import SignInThrottle, ThrottleDecision
from backend.counters import Count, CountingStore, MemoryCountingStore, counting_store
from tests.redis_server import RedisServer

EMAIL = "alice@example.com"
ATTACKER, OFFICE, HOME = "203.0.113.7", "198.51.100.1", "192.0.2.44"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_server: RedisServer) -> AsyncIterator[CountingStore]:
    # a namespace per test: the session's Redis outlives each test's counters
    url = redis_server.url if request.param == "redis" else None
    opened = counting_store(url, namespace=f"test_sign_in_{uuid4().hex}")
    async with opened:
        yield opened


async def fail(
    throttle: SignInThrottle, times: int, email: str = EMAIL, address: str = ATTACKER
) -> list[float]:
    """Fail `times` attempts as a caller would; the delays each was given."""
    delays = []
    for _ in range(times):
        decision = await throttle.check(email, address)
        assert decision.allowed, decision
        delays.append(decision.delay)
        await throttle.failed(email, address)
    return delays


async def test_attempts_after_five_failures_wait_twice_as_long_each_time_up_to_a_cap(
    store: CountingStore,
) -> None:
    throttle = SignInThrottle(store, slow_after=5, lock_after=20, base_delay=0.25, max_delay=4.0)

    delays = await fail(throttle, 12)

    assert delays == [0, 0, 0, 0, 0, 0.25, 0.5, 1, 2, 4, 4, 4]


async def test_after_ten_failures_the_account_is_locked_from_that_address(store: CountingStore) -> None:
    throttle = SignInThrottle(store, lock_seconds=900)
    await fail(throttle, 10)

    decision = await throttle.check(EMAIL, ATTACKER)

    assert not decision.allowed
    assert 0 < decision.retry_after <= 900


async def test_a_lock_holds_one_address_only_so_the_owner_still_gets_in(store: CountingStore) -> None:
    throttle = SignInThrottle(store, max_delay=4.0)
    await fail(throttle, 10)

    owner = await throttle.check(EMAIL, HOME)
    other_account = await throttle.check("bob@example.com", ATTACKER)

    assert owner.allowed
    assert 0 < owner.delay <= 4.0  # slowed by the account's failures, never more than the cap
    assert other_account.allowed
    assert 0 < other_account.delay <= 4.0  # slowed by the address's failures


async def test_a_lock_ends_on_its_own_and_the_pair_starts_afresh(store: CountingStore) -> None:
    throttle = SignInThrottle(store, slow_after=100, lock_after=3, lock_seconds=1)
    await fail(throttle, 3)
    assert not (await throttle.check(EMAIL, ATTACKER)).allowed

    await asyncio.sleep(1.2)

    assert await fail(throttle, 3) == [0, 0, 0]
    assert not (await throttle.check(EMAIL, ATTACKER)).allowed


async def test_a_success_clears_the_accounts_failures(store: CountingStore) -> None:
    throttle = SignInThrottle(store, slow_after=5)
    await fail(throttle, 7)
    assert (await throttle.check(EMAIL, HOME)).delay > 0
    await throttle.succeeded(EMAIL, HOME)

    assert await throttle.check(EMAIL, OFFICE) == ThrottleDecision(allowed=True, delay=0.0, retry_after=0.0)


async def test_signing_in_to_ones_own_account_buys_no_fresh_guesses_at_others(store: CountingStore) -> None:
    throttle = SignInThrottle(store, slow_after=5)
    await fail(throttle, 7)
    assert (await throttle.check("mallory@example.com", ATTACKER)).allowed
    await throttle.succeeded("mallory@example.com", ATTACKER)

    next_guess = await throttle.check("carol@example.com", ATTACKER)

    assert next_guess.allowed
    assert next_guess.delay > 0


async def test_successes_alone_never_slow_anyone_down(store: CountingStore) -> None:
    throttle = SignInThrottle(store, slow_after=5)
    delays = []
    for person in range(12):  # colleagues behind one office address
        decision = await throttle.check(f"person{person}@example.com", OFFICE)
        delays.append(decision.delay)
        await throttle.succeeded(f"person{person}@example.com", OFFICE)

    assert delays == [0.0] * 12


async def test_attempts_sent_in_parallel_cannot_get_past_the_lock(store: CountingStore) -> None:
    throttle = SignInThrottle(store, lock_after=10)

    decisions = await asyncio.gather(*(throttle.check(EMAIL, ATTACKER) for _ in range(40)))

    assert sum(decision.allowed for decision in decisions) == 10


class LaggingStore(MemoryCountingStore):
    """The memory store answering after a short, varying delay, as a Redis across a network does:
    parallel attempts then interleave between the throttle's steps (seeded, so every run the same)."""

    def __init__(self) -> None:
        super().__init__()
        self.lag = random.Random(7)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        await asyncio.sleep(self.lag.random() / 500)
        return await super().get(key, renew_for)

    async def increment(self, key: str, window: float, step: int = 1) -> Count:
        await asyncio.sleep(self.lag.random() / 500)
        return await super().increment(key, window, step)


async def test_attempts_sent_in_parallel_cannot_get_past_the_lock_however_their_steps_interleave() -> None:
    throttle = SignInThrottle(LaggingStore(), lock_after=10)

    for _ in range(5):
        decisions = await asyncio.gather(*(throttle.check(EMAIL, ATTACKER) for _ in range(40)))
        assert sum(decision.allowed for decision in decisions) == 10
        await throttle.succeeded(EMAIL, ATTACKER)  # the owner signs in: the pair starts afresh


async def test_emails_are_compared_normalised(store: CountingStore) -> None:
    throttle = SignInThrottle(store, lock_after=4)
    await fail(throttle, 2, email=" Alice@Example.COM ")
    await fail(throttle, 2, email="alice@example.com")

    assert not (await throttle.check("ALICE@example.com", ATTACKER)).allowed


async def test_redis_holds_no_email(redis_server: RedisServer) -> None:
    namespace = f"test_sign_in_{uuid4().hex}"
    store = counting_store(redis_server.url, namespace=namespace)
    async with store:
        await fail(SignInThrottle(store), 3)
    client = Redis.from_url(redis_server.url)
    try:
        keys = [key.decode() async for key in client.scan_iter(match=f"{namespace}:*")]
    finally:
        await client.aclose()

    assert len(keys) == 3  # account, address, pair
    assert not [key for key in keys if "alice" in key]
