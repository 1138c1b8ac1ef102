"""pytest fixtures of the test servers; a conftest makes them available with
`from tests.servers.fixtures import counting, openai_api  # noqa: F401`.

Each server is started once per session and reset before every test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pydantic_ai.models
import pytest

from tests.servers.counting import CountingServer, counting_server
from tests.servers.openai_fake import FakeOpenAI, fake_openai


@pytest.fixture(scope="session")
def _counting_session() -> Iterator[CountingServer]:
    with counting_server() as server:
        yield server


@pytest.fixture
def counting(_counting_session: CountingServer) -> CountingServer:
    """The session's counting server, with no calls counted yet."""
    _counting_session.reset()
    return _counting_session


@pytest.fixture(scope="session")
def _openai_session() -> Iterator[FakeOpenAI]:
    with fake_openai() as fake:
        yield fake


@pytest.fixture
def openai_api(_openai_session: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The session's fake OpenAI API, with no requests recorded and no failures planned.

    pydantic-ai's model requests are allowed for the test (tests/conftest.py forbids them), so
    models pointed at the fake can reach it; every provider's environment fallbacks point at the
    fake too, so a model built without an explicit base URL cannot reach a real provider either.
    """
    _openai_session.reset()
    monkeypatch.setattr(pydantic_ai.models, "ALLOW_MODEL_REQUESTS", True)
    for variable in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OLLAMA_BASE_URL"):
        monkeypatch.setenv(variable, _openai_session.base_url)
    for variable in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    return _openai_session
