"""pytest fixtures of the test OpenID provider; a conftest makes them available with
`from tests.servers.oidc_fixtures import _oidc_provider_session, oidc_provider  # noqa: F401`.

The provider is started once per session (its RSA keys take a moment to make) and reset before
every test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.oidc_provider import OidcProvider
from tests.servers.oidc_provider import oidc_provider as serve_oidc_provider


@pytest.fixture(scope="session")
def _oidc_provider_session() -> Iterator[OidcProvider]:
    with serve_oidc_provider() as provider:
        yield provider


@pytest.fixture
def oidc_provider(_oidc_provider_session: OidcProvider) -> OidcProvider:
    """The session's OpenID provider: default user and clients, no knob set, nothing counted."""
    _oidc_provider_session.reset()
    return _oidc_provider_session
