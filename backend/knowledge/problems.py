"""The typed problems of knowledge requests, and the bounds they enforce."""

from __future__ import annotations

from backend.knowledge.records import InvalidKnowledge, Metric
from engine.graph import Problem
from engine.value_policy import text_problem

MAX_DESCRIPTION = 2000
MAX_QUERY_CHARS = 2000
MAX_TOP_K = 100
MAX_METADATA_BYTES = 16_000
METRICS: tuple[Metric, ...] = ("cosine", "l2", "inner_product")
EXTRACTION_CODES = {
    "unsupported_media_type": "UNSUPPORTED_MEDIA_TYPE",
    "corrupt_document": "CORRUPT_DOCUMENT",
    "empty_document": "EMPTY_DOCUMENT",
    "too_large": "DOCUMENT_TOO_LARGE",
}


def problem(code: str, message: str, path: str | None = None) -> Problem:
    """A problem with a stable code, a sentence and where."""
    return Problem(code=code, message=message, path=path)


def invalid(code: str, message: str, path: str | None = None) -> InvalidKnowledge:
    """A refusal with one problem."""
    return InvalidKnowledge(problems=(problem(code, message, path),))


def text_problems(value: str, path: str, *, limit: int, required: bool) -> list[Problem]:
    """Why a text field cannot be stored: unstorable characters, blank when required, too long."""
    unstorable = text_problem(value)
    if unstorable is not None:
        return [problem("UNSTORABLE_TEXT", f"{path} {unstorable}", path)]
    if required and not value.strip():
        return [problem("INVALID_VALUE", f"{path} must not be blank", path)]
    if len(value) > limit:
        return [problem("VALUE_TOO_LARGE", f"{path} has {len(value)} characters; the limit is {limit}", path)]
    return []


def name_problems(name: str) -> list[Problem]:
    """Why a collection name cannot be used."""
    return text_problems(name, "name", limit=128, required=True)
