"""The servers' own tests use the same fixtures as everyone else."""

from tests.servers.fixtures import _counting_session, _openai_session, counting, openai_api

__all__ = ["_counting_session", "_openai_session", "counting", "openai_api"]
