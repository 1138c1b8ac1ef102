"""GraphQL types every slice shares: problems, page info, connections, errors."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

import strawberry
from graphql import GraphQLError
from pydantic import JsonValue
from strawberry.types.nodes import SelectedField

from backend.pagination import InvalidPageError, Page
from backend.problems import Refused as RefusedRecord
from engine.graph import Problem as ProblemRecord

T = TypeVar("T")


class UserInputError(GraphQLError):
    """A request the API refuses because of its arguments (not a bug); shown to the caller as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})

    @classmethod
    def from_invalid_page(cls, exc: InvalidPageError) -> UserInputError:
        """Turn a pagination error into a GraphQL error."""
        return cls(str(exc))


def json_value(value: object) -> JsonValue:
    """A JSON scalar argument as the JSON value it is (Strawberry types the scalar as `object`)."""
    return cast(JsonValue, value)


def selects(info: strawberry.Info[Any, Any], name: str) -> bool:
    """Whether the query selects a field called `name` anywhere below the current field."""
    pending: list[Any] = list(info.selected_fields)
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField) and selection.name == name:
            return True
        pending.extend(selection.selections)
    return False


@strawberry.type(description="One thing wrong with an input: a stable code, a sentence, and where.")
class Problem:
    code: str
    message: str
    path: str | None
    node_id: str | None

    @classmethod
    def from_record(cls, problem: ProblemRecord) -> Problem:
        """Build from the engine's problem."""
        return cls(code=problem.code, message=problem.message, path=problem.path, node_id=problem.node_id)


@strawberry.type(description="The requested id does not exist in your workspace.")
class NotFound:
    id: strawberry.ID
    message: str


@strawberry.type(description="Understood and refused by a rule: a stable code and what to do instead.")
class Refused:
    code: str
    message: str

    @classmethod
    def of(cls, refused: RefusedRecord) -> Refused:
        """Build from the problem record."""
        return cls(code=refused.code, message=refused.message)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[T]) -> Connection[T]:
        """Build a connection from a page whose items are already GraphQL objects."""
        edges = [
            Edge(cursor=cursor, node=node) for cursor, node in zip(page.cursors, page.items, strict=True)
        ]
        return cls(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)
        )
