"""The account pages the printed and shared links open, until the web app takes them over."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    "path", ["/setup?token=fll_x", "/signin", "/invite?token=fll_x", "/reset-password", "/account"]
)
async def test_each_link_opens_the_account_page_under_a_strict_content_security_policy(
    http: httpx.AsyncClient, path: str
) -> None:
    page = await http.get(path)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/auth/pages/account.js" defer></script>' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"  # the links carry one-time tokens


async def test_the_page_script_and_style_are_served_and_nothing_else_is(http: httpx.AsyncClient) -> None:
    script = await http.get("/auth/pages/account.js")
    style = await http.get("/auth/pages/account.css")
    other = await http.get("/auth/pages/pages.py")

    assert script.status_code == style.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/auth/setup" in script.text
    assert other.status_code == 404
