"""Whether a workspace holds the credentials its nodes' models need, asked before anything executes."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from backend.credentials.service import CredentialService, credential_provider
from backend.runs.records import MissingCredentials
from engine.dsl import EmbeddingNode, LlmNode, Node


def _providers_needed(nodes: Iterable[Node]) -> list[tuple[str, str, str]]:
    """(provider, node id, model) of every node whose model needs provider credentials."""
    needed = []
    for node in nodes:
        model = node.params.model if isinstance(node, LlmNode | EmbeddingNode) else None
        provider = None if model is None else credential_provider(model)
        if provider is not None and model is not None:
            needed.append((provider, node.id, model))
    return needed


async def missing_credentials(
    credentials: CredentialService, workspace_id: UUID, nodes: Iterable[Node]
) -> MissingCredentials | None:
    """The first provider `nodes` need that the workspace has no credentials for, as a problem."""
    for provider, node_id, model in _providers_needed(nodes):
        if await credentials.provider_secret(workspace_id, provider) is None:
            return MissingCredentials(
                provider=provider,
                message=(
                    f"node {node_id} uses {model}, but this workspace has no {provider} credentials: "
                    f'set them with setCredential(input: {{provider: "{provider}", apiKey: "…"}})'
                ),
            )
    return None
