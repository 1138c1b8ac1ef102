"""Subscriptions travel over websockets; sent as an HTTP request they get a clear refusal."""

from __future__ import annotations

import httpx
import pytest

from tests.tenants import Tenant


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_sent_over_http_is_refused_with_what_to_do_instead(
    http: httpx.AsyncClient, tenant: Tenant, method: str
) -> None:
    query = "subscription { runUpdates { id } }"
    headers = {"Authorization": f"Bearer {tenant.token}"}
    if method == "GET":
        response = await http.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await http.post("/graphql", json={"query": query}, headers=headers)

    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_REQUEST"]
    assert "websocket" in errors[0]["message"]
