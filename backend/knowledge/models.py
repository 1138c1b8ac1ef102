"""Embedding models a collection may use: which exist, and how many dimensions each gives."""

from __future__ import annotations

from uuid import UUID

from backend.credentials.providers import UnknownEmbeddingModelError, embedding_provider
from backend.knowledge.offline import OFFLINE_DIMENSION, OFFLINE_MODEL
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.ports import Embedder, MissingCredentialsError

KNOWN_DIMENSIONS = {OFFLINE_MODEL: OFFLINE_DIMENSION}
"""Dimensions of models that need no probe. A provider's model is always asked once, with a probe
text: that checks the workspace's credentials and the model's name as well (and a provider may
serve a shortened variant of a model known elsewhere)."""
PROBE_TEXT = "Flowloom dimension probe"


class ModelProblemError(Exception):
    """A model cannot be used for a collection: `code` is UNKNOWN_MODEL or MISSING_CREDENTIALS."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def model_dimension(embedder: Embedder, workspace_id: UUID, model: str) -> int:
    """How many dimensions `model` gives: known (offline), or asked of the provider with one short text.

    Raises:
        ModelProblemError: The model is unknown, the workspace lacks its credentials, or the provider
            refused the probe.
    """
    try:
        embedding_provider(model)
    except UnknownEmbeddingModelError as error:
        raise ModelProblemError("UNKNOWN_MODEL", str(error)) from error
    known = KNOWN_DIMENSIONS.get(model)
    if known is not None:
        return known
    try:
        embeddings = await embedder.embed(workspace_id, model, [PROBE_TEXT])
    except MissingCredentialsError as error:
        raise ModelProblemError("MISSING_CREDENTIALS", str(error)) from error
    except PROVIDER_ERRORS as error:
        raise ModelProblemError(
            "UNKNOWN_MODEL", f"the provider could not embed with {model}: {provider_failure(error)}"
        ) from error
    return len(embeddings.vectors[0])
