"""The servers' own tests use the same fixtures as everyone else."""

from tests.servers.fixtures import _counting_session, _openai_session, counting, openai_api
from tests.servers.oidc_fixtures import _oidc_provider_session, oidc_provider

__all__ = [
    "_counting_session",
    "_oidc_provider_session",
    "_openai_session",
    "counting",
    "oidc_provider",
    "openai_api",
]
