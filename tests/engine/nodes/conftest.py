"""The node tests' servers: a counting HTTP server and a fake OpenAI API, both on 127.0.0.1."""

from tests.servers.fixtures import _counting_session, _openai_session, counting, openai_api

__all__ = ["_counting_session", "_openai_session", "counting", "openai_api"]
