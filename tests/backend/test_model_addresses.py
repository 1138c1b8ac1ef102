"""Model and embedding providers obey the address policy of the HTTP tool on every call, with the
connection pinned to the checked address.

The session's services run as a distributed deployment (a DATABASE_URL is configured) whose
model allowlist holds only 127.0.0.1 (tests/conftest.py).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

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


async def store_unchecked(services: Services, tenant: Tenant, base_url: str, api_key: str) -> None:
    """Store an OpenAI credential the way rows written before base URLs were checked look (or whose
    host name has resolved elsewhere since): straight through the repository."""
    settings = services.settings
    box = SecretBox(load_secret(settings.secret_key, settings.home, embedded=settings.embedded))
    await CredentialRepository().upsert(
        tenant.principal.workspace_id, "openai", box.encrypt(api_key), base_url
    )


PROVIDER_NODES = {
    "llm": {"model": "openai-chat:fake-model", "prompt": "hello"},
    "embedding": {"collection": "notes", "text": "hello"},
}
"""Params of each node kind that calls a provider (the embedding node uses the workspace's OpenAI)."""


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
