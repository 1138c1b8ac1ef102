"""Rate limits on a real server: per token or session, per client address, shared through Redis.

Every test client here is 127.0.0.1, so the address limit is tested as a cap on all identities
together, and identities are told apart by their tokens and session cookies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from backend.ratelimit import rate_limit_middlewares, rate_limit_stores
from backend.services import Services
from tests.backend.served_apps import served
from tests.redis_server import RedisServer
from tests.tenants import Tenant, new_tenant

VIEWER = {"query": "{ viewer { email } }"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


async def ask(http: httpx.AsyncClient, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post(f"{url}/graphql", json=VIEWER, headers=headers, **kwargs)


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "per minute" in error["message"]


async def test_a_token_past_its_limit_gets_429_with_retry_after_and_a_graphql_error(
    services: Services, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    async with served(services, rate_limit_per_minute=3, rate_limit_per_address_per_minute=100) as url:
        allowed = [await ask(client, url, tenant.token) for _ in range(3)]
        refused = await ask(client, url, tenant.token)

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["RateLimit-Remaining"] for r in allowed] == ["2", "1", "0"]
    assert allowed[0].json() == {"data": {"viewer": {"email": f"{tenant.slug}@test.local"}}}
    assert_rate_limited(refused)
    assert refused.headers["RateLimit-Limit"] == "3"


async def test_tokens_do_not_share_a_budget(services: Services, client: httpx.AsyncClient) -> None:
    first, second = await new_tenant(services), await new_tenant(services)
    async with served(services, rate_limit_per_minute=2, rate_limit_per_address_per_minute=100) as url:
        spent = [(await ask(client, url, first.token)).status_code for _ in range(3)]
        other = [(await ask(client, url, second.token)).status_code for _ in range(2)]

    assert spent == [200, 200, 429]
    assert other == [200, 200]


async def test_browser_sessions_are_told_apart_by_their_cookie(services: Services) -> None:
    async with served(services, rate_limit_per_minute=2, rate_limit_per_address_per_minute=100) as url:
        statuses = {}
        for session in ("one", "two"):
            async with httpx.AsyncClient(cookies={"flowloom_session": session}) as browser:
                statuses[session] = [(await ask(browser, url)).status_code for _ in range(3)]

    # not signed in (401) but counted: the limit applies before authentication
    assert statuses == {"one": [401, 401, 429], "two": [401, 401, 429]}


async def test_the_address_limit_caps_every_identity_of_one_address_together(
    services: Services, client: httpx.AsyncClient
) -> None:
    tokens = [(await new_tenant(services)).token for _ in range(3)]
    async with served(services, rate_limit_per_minute=100, rate_limit_per_address_per_minute=4) as url:
        statuses = [(await ask(client, url, token)).status_code for token in tokens]
        statuses.append((await ask(client, url)).status_code)  # no identity: the address limit alone
        refused = await ask(client, url, tokens[0])

    assert statuses == [200, 200, 200, 401]
    assert_rate_limited(refused)
    assert refused.json()["errors"][0]["message"].startswith("Too many requests: the limit is 4 per minute")


async def test_health_probes_are_never_limited(services: Services, client: httpx.AsyncClient) -> None:
    async with served(services, rate_limit_per_minute=1, rate_limit_per_address_per_minute=1) as url:
        probes = [(await client.get(f"{url}/{path}")).status_code for path in ("healthz", "readyz") * 3]

    assert probes == [200] * 6


async def test_graphiql_page_loads_spend_no_token_budget(
    services: Services, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    page = {"Accept": "text/html", "Authorization": f"Bearer {tenant.token}"}
    async with served(services, rate_limit_per_minute=2, rate_limit_per_address_per_minute=100) as url:
        pages = [(await client.get(f"{url}/graphql", headers=page)).status_code for _ in range(3)]
        queries = [(await ask(client, url, tenant.token)).status_code for _ in range(3)]

    assert pages == [200, 200, 200]
    assert queries == [200, 200, 429]


async def test_websocket_handshakes_count_and_are_refused_with_429(services: Services) -> None:
    async with served(services, rate_limit_per_minute=100, rate_limit_per_address_per_minute=2) as url:
        ws_url = url.replace("http", "ws") + "/graphql"
        for _ in range(2):
            async with connect(ws_url, subprotocols=["graphql-transport-ws"]):  # type: ignore[list-item]
                pass
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url, subprotocols=["graphql-transport-ws"]):  # type: ignore[list-item]
                pass

    response = refused.value.response
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


async def test_two_app_instances_on_one_redis_share_a_tokens_budget(
    services: Services, tenant: Tenant, redis_server: RedisServer, client: httpx.AsyncClient
) -> None:
    limits = {
        "rate_limit_per_minute": 4,
        "rate_limit_per_address_per_minute": 0,
        "redis_url": redis_server.url,
    }
    async with served(services, **limits) as a, served(services, **limits) as b:
        statuses = [(await ask(client, url, tenant.token)).status_code for url in (a, b, a, b, a, b)]

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_limits_of_zero_are_off(services: Services) -> None:
    off = replace(services.settings, rate_limit_per_minute=0, rate_limit_per_address_per_minute=0)
    one = replace(off, rate_limit_per_minute=5)

    assert (rate_limit_middlewares(off), rate_limit_stores(off)) == ([], {})
    assert len(rate_limit_middlewares(one)) == 1
    assert list(rate_limit_stores(one)) == ["rate_limit"]


async def test_concurrent_requests_to_two_instances_on_one_redis_never_exceed_the_budget(
    services: Services, tenant: Tenant, redis_server: RedisServer, client: httpx.AsyncClient
) -> None:
    limits = {
        "rate_limit_per_minute": 10,
        "rate_limit_per_address_per_minute": 0,
        "redis_url": redis_server.url,
    }
    async with served(services, **limits) as a, served(services, **limits) as b:
        responses = await asyncio.gather(*(ask(client, url, tenant.token) for url in (a, b) * 15))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 10 + [429] * 20


async def test_requests_pass_while_the_counters_redis_is_down_and_are_counted_again_once_it_is_back(
    services: Services, tenant: Tenant, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisServer()  # its own: this test kills it
    redis.start()
    limits = {"rate_limit_per_minute": 2, "rate_limit_per_address_per_minute": 0, "redis_url": redis.url}
    caplog.set_level(logging.WARNING, "backend.ratelimit")
    try:
        async with served(services, **limits) as url:
            redis.kill()
            down = [(await ask(client, url, tenant.token)).status_code for _ in range(3)]
            redis.start()
            back = [(await ask(client, url, tenant.token)).status_code for _ in range(3)]
    finally:
        redis.kill()

    assert down == [200, 200, 200]
    assert back == [200, 200, 429]
    logged = [record.getMessage() for record in caplog.records if record.name == "backend.ratelimit"]
    assert [message.split(":")[0] for message in logged] == [
        "rate limit not applied",
        "rate limit applied again",
    ]
