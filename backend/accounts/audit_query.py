"""The audit log's read side: a workspace's own entries, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.accounts.audit import AuditAction, AuditRecord
from backend.accounts.records import Principal
from backend.accounts.tables import AuditEvent
from backend.pagination import Cursor, Page, PageRequest

_COLUMNS = "id, action, actor_user_id, actor_token_id, actor_email, target, address, details, at"


def _entry(row: Mapping[str, Any]) -> AuditRecord:
    return AuditRecord(
        id=row["id"],
        action=AuditAction(row["action"]),
        actor_user_id=row["actor_user_id"],
        actor_token_id=row["actor_token_id"],
        actor_email=row["actor_email"],
        target=row["target"],
        address=row["address"],
        details=msgspec.json.decode(row["details"]),
        at=row["at"],
    )


class AuditQuery:
    """Reads the audit log of the principal's workspace.

    Sign-ins, sign-outs and failed sign-ins belong to no workspace (a person signs in once for all
    of theirs), so no workspace's log shows them; neither does any other workspace's entry.
    """

    async def page(self, principal: Principal, request: PageRequest) -> Page[AuditRecord]:
        """One page of entries, newest first (cursors over the entry's time and id)."""
        after = request.after
        keyset = "" if after is None else "AND (at, id) < ({}, {}) "
        args: list[Any] = [principal.workspace_id] + ([] if after is None else [after.created_at, after.id])
        rows = await AuditEvent.raw(
            f"SELECT {_COLUMNS} FROM audit_events WHERE workspace_id = {{}} "  # noqa: S608 - constants
            f"{keyset}ORDER BY at DESC, id DESC LIMIT {request.first + 1:d}",
            *args,
        ).run()
        items = tuple(_entry(row) for row in rows[: request.first])
        return Page(
            items=items,
            cursors=tuple(Cursor(item.at, item.id).encode() for item in items),
            has_next_page=len(rows) > request.first,
        )
