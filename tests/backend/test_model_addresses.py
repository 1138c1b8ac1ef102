"""Model and embedding providers obey the address policy of the HTTP tool: base URLs are checked when a
credential is set and again on every call, with the connection pinned to the checked address.

The session's services run as a distributed deployment (a DATABASE_URL is configured) whose
model allowlist holds only 127.0.0.1 (tests/conftest.py).
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import anyio
import pytest

from backend.credentials.crypto import SecretBox, load_secret
from backend.credentials.repository import CredentialRepository
from backend.services import Services, model_address_policy
from backend.settings import Settings
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import node, run_to_end
from tests.servers.openai_fake import FakeOpenAI
from tests.tenants import Tenant

LOOPBACK = ipaddress.ip_address("127.0.0.1")
PRIVATE = ipaddress.ip_address("10.0.0.5")
METADATA = ipaddress.ip_address("169.254.169.254")

NO_RETRY_HELP = {"maxAttempts": 3, "backoffSeconds": 0}
"""A retry policy that would show any retry of a refusal (a refused address is final)."""


async def set_base_url(gql: GraphQLClient, base_url: str, provider: str = "ollama") -> dict[str, Any]:
    result: dict[str, Any] = (
        await gql.run("SetCredential", input={"provider": provider, "apiKey": "sk-x", "baseUrl": base_url})
    )["setCredential"]
    return result


async def store_unchecked(services: Services, tenant: Tenant, base_url: str, api_key: str) -> None:
    """Store an OpenAI credential the way rows written before base URLs were checked look (or whose
    host name has resolved elsewhere since): straight through the repository."""
    settings = services.settings
    box = SecretBox(load_secret(settings.secret_key, settings.home, embedded=settings.embedded))
    await CredentialRepository().upsert(
        tenant.principal.workspace_id, "openai", box.encrypt(api_key), base_url
    )


@pytest.mark.parametrize(
    ("base_url", "rule"),
    [
        ("http://169.254.169.254/", "a link-local address"),
        ("http://169.254.169.254.:80/latest/meta-data/", "a link-local address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "a cloud metadata service"),
        ("http://[fe80::1]:11434/", "a link-local address"),
        ("http://[::ffff:169.254.169.254]/", "a link-local address"),
        ("http://10.0.0.5:8000/v1", "a private address"),
        ("http://192.168.1.20:11434", "a private address"),
        ("http://localhost:11434/v1", "a loopback address"),
    ],
)
async def test_set_credential_refuses_a_base_url_the_address_policy_refuses(
    gql: GraphQLClient, base_url: str, rule: str
) -> None:
    result = await set_base_url(gql, base_url)

    assert result["__typename"] == "InvalidCredential", result
    (problem,) = result["problems"]
    assert problem["code"] == "ADDRESS_NOT_ALLOWED"
    assert problem["path"] == "baseUrl"
    assert rule in problem["message"]
    assert (await gql.run("Credentials"))["credentials"] == []


async def test_a_refused_base_url_leaves_the_stored_credential_as_it_was(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await set_base_url(gql, openai_api.base_url, provider="openai")

    refused = await set_base_url(gql, "http://169.254.169.254/", provider="openai")

    assert refused["__typename"] == "InvalidCredential"
    (stored,) = (await gql.run("Credentials"))["credentials"]
    assert stored["baseUrl"] == openai_api.base_url


async def test_an_allowlisted_model_server_is_accepted(gql: GraphQLClient, openai_api: FakeOpenAI) -> None:
    result = await set_base_url(gql, openai_api.base_url, provider="openai")

    assert result == {"__typename": "Credential", "provider": "openai", "baseUrl": openai_api.base_url}


async def test_a_host_name_that_does_not_resolve_yet_is_accepted(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model server not started yet; every call checks the addresses it connects to, when the
    # name has come to exist. The resolver is replaced (it is not our code): no lookup leaves the machine.
    async def unknown(host: str, port: int, **_: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(anyio, "getaddrinfo", unknown)

    result = await set_base_url(gql, "http://vllm.example:8000/v1")

    assert result["__typename"] == "Credential", result


PROVIDER_NODES = {
    "llm": {"model": "openai-chat:fake-model", "prompt": "hello"},
    "embedding": {"collection": "notes", "text": "hello", "model": "openai:text-embedding-3-small"},
}
"""Params of each node kind that calls a provider (the embedding node names an OpenAI model: by
default it would embed offline)."""


@pytest.mark.parametrize("kind", sorted(PROVIDER_NODES))
async def test_a_node_whose_provider_base_url_is_refused_fails_and_sends_nothing(
    gql: GraphQLClient, services: Services, tenant: Tenant, openai_api: FakeOpenAI, kind: str
) -> None:
    port = openai_api.url.rpartition(":")[2]
    await store_unchecked(services, tenant, f"http://localhost:{port}/v1", openai_api.api_key)
    spec = {"id": "call", "type": kind, "retry": NO_RETRY_HELP, "params": PROVIDER_NODES[kind]}

    run = await run_to_end(gql, {"nodes": [spec], "edges": []})

    assert run["status"] == "FAILED"
    call = node(run, "call")
    assert "refused to connect to localhost" in call["error"]
    assert "a loopback address" in call["error"]
    assert call["attempts"] == 1
    assert openai_api.requests == []


def test_the_embedded_mode_lets_model_base_urls_reach_loopback_and_nothing_more(tmp_path: Path) -> None:
    policy = model_address_policy(Settings.from_env({"FLOWLOOM_HOME": str(tmp_path)}))

    assert policy.refusal("localhost", LOOPBACK) is None
    assert policy.refusal("vllm.lan", PRIVATE) is not None
    assert policy.refusal("169.254.169.254", METADATA) is not None


def test_a_configured_database_refuses_loopback_model_servers_unless_allowlisted(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "FLOWLOOM_HOME": str(tmp_path),
            "DATABASE_URL": "postgresql://db.invalid/flowloom",
            "FLOWLOOM_MODEL_ALLOWLIST": "vllm.internal, 127.0.0.1",
        }
    )

    policy = model_address_policy(settings)

    assert policy.refusal("localhost", LOOPBACK) is not None
    assert policy.refusal("127.0.0.1", LOOPBACK) is None
    assert policy.refusal("vllm.internal", PRIVATE) is None
    assert policy.refusal("vllm.internal", METADATA) is not None


def test_the_model_allowlist_does_not_open_hosts_to_the_http_tool(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"FLOWLOOM_HOME": str(tmp_path), "FLOWLOOM_MODEL_ALLOWLIST": "vllm.internal"}
    )

    assert settings.model_allowlist == ("vllm.internal",)
    assert settings.http_allowlist == ()


@pytest.mark.parametrize(
    "base_url",
    [
        "http://[::1/",
        "http://localhost:99999/",
        "http://exa\x00mple/",
        "http://exa mple/",
        "http://ok.example/v\x001",
    ],
)
async def test_a_malformed_base_url_is_an_invalid_url_problem(gql: GraphQLClient, base_url: str) -> None:
    result = await set_base_url(gql, base_url)

    assert result["__typename"] == "InvalidCredential", result
    assert [problem["code"] for problem in result["problems"]] == ["INVALID_URL"]
