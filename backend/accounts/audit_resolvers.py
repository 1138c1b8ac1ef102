"""GraphQL query of the audit log (admins and owners read their workspace's)."""

# Strawberry's field decorators are typed as returning Any (see pyproject's override for resolvers,
# whose module pattern cannot match this file's name); its mypy plugin checks the types themselves.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import strawberry

from backend.accounts.audit_types import AuditEvent
from backend.accounts.roles import Permission
from backend.gql.common import Connection, UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.pagination import InvalidPageError, Page, PageRequest


@strawberry.type
class AuditLogQuery:
    @strawberry.field(
        description="Your workspace's audit log, newest first (at most 100 entries per page).",
        extensions=requires(Permission.MANAGE),
    )
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        try:
            request = PageRequest.parse(first, after)
        except InvalidPageError as exc:
            raise UserInputError.from_invalid_page(exc) from exc
        page = await info.context.services.audit.page(principal_of(info), request)
        items = tuple(AuditEvent.of(record) for record in page.items)
        return Connection.of(Page(items=items, cursors=page.cursors, has_next_page=page.has_next_page))
