"""What the code is working on, for log records: a run, a node, a workspace.

Context variables, so every record emitted while a node attempt runs (by the engine, an executor, or
a library it calls, such as httpx) can say which run and node it belongs to, however deep the call.
The engine binds them around each run and node attempt; the backend binds the workspace of each
request and its log formatter reads them all (`backend/logs.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from uuid import UUID

_RUN: ContextVar[UUID | None] = ContextVar("log_run_id", default=None)
_NODE: ContextVar[str | None] = ContextVar("log_node_id", default=None)
_WORKSPACE: ContextVar[UUID | None] = ContextVar("log_workspace_id", default=None)


@contextmanager
def bound(
    *, run_id: UUID | None = None, node_id: str | None = None, workspace_id: UUID | None = None
) -> Iterator[None]:
    """Within the block, log records name these (the ones given; the others keep their value)."""
    tokens: list[
        tuple[ContextVar[UUID | None] | ContextVar[str | None], Token[UUID | None] | Token[str | None]]
    ] = []
    if run_id is not None:
        tokens.append((_RUN, _RUN.set(run_id)))
    if node_id is not None:
        tokens.append((_NODE, _NODE.set(node_id)))
    if workspace_id is not None:
        tokens.append((_WORKSPACE, _WORKSPACE.set(workspace_id)))
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)  # type: ignore[arg-type]


def bind_workspace(workspace_id: UUID | None) -> None:
    """Name this workspace in the log records of the rest of the current task (a request's)."""
    _WORKSPACE.set(workspace_id)


def current() -> dict[str, str]:
    """The run, node and workspace bound here, by field name; absent ones left out."""
    fields = {"run_id": _RUN.get(), "node_id": _NODE.get(), "workspace_id": _WORKSPACE.get()}
    return {name: str(value) for name, value in fields.items() if value is not None}
