"""The one enforcement point of the access matrix: every root field declares a `Permission`.

A root field (query, mutation or subscription) carries `extensions=requires(Permission.X)`;
`Requires` checks it against the request's principal before the resolver (and so any service)
runs. `check_declarations` refuses to build a schema with a root field that declares none, so a
new field cannot ship unguarded; tests/backend/test_access_matrix.py proves the matrix against a
real server.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from backend.accounts.roles import WORKSPACE_PERMISSIONS, Permission, lowest_role_with, permissions_of
from backend.gql.context import Context, Info

FORBIDDEN = "FORBIDDEN"


class ForbiddenError(GraphQLError):
    """The caller may not use this field; says what it would take."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": FORBIDDEN})


def refusal(context: Context, permission: Permission) -> str | None:
    """Why the request's caller lacks `permission` (None: they have it)."""
    if context.caller is None:
        return "Sign in first."
    if permission is Permission.ACCOUNT and context.caller.session_id is None:
        return "Only a person signed in with a browser session can do this, not an API token."
    if permission not in WORKSPACE_PERMISSIONS:
        return None
    principal = context.principal
    if principal is None:
        return "You are not a member of this workspace (or it does not exist)."
    if permission not in permissions_of(principal.role):
        needed = lowest_role_with(permission)
        return f"Your role in this workspace is {principal.role}; this needs {needed} or higher."
    return None


class Requires(FieldExtension):
    """Checks the caller's permission before the field resolves."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def _check(self, info: Info) -> None:
        reason = refusal(info.context, self.permission)
        if reason is not None:
            raise ForbiddenError(reason)

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        """Check, then resolve."""
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        """Check, then resolve (a subscription's generator is returned, not awaited)."""
        self._check(info)
        result = next_(source, info, **kwargs)
        return result if inspect.isasyncgen(result) else await result


def requires(permission: Permission) -> list[FieldExtension]:
    """The `extensions=` of a root field that needs `permission`."""
    return [Requires(permission)]


def declared_permission(field: StrawberryField) -> Permission | None:
    """The permission a field declares, if any."""
    found = [extension.permission for extension in field.extensions if isinstance(extension, Requires)]
    return found[0] if len(found) == 1 else None


def check_declarations(root_types: Iterable[type[Any] | None]) -> dict[str, Permission]:
    """Every root field's permission, by `Type.field` as clients name it (`Mutation.startRun`, the
    schema's default camel case); raises if one declares none (or several)."""
    names = NameConverter()
    declared: dict[str, Permission] = {}
    for root in root_types:
        if root is None:
            continue
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            permission = declared_permission(field)
            if permission is None:
                raise TypeError(
                    f"{definition.name}.{field.python_name} declares no permission: "
                    "add extensions=requires(Permission.…)"
                )
            declared[f"{definition.name}.{names.get_graphql_name(field)}"] = permission
    return declared


__all__ = ["WORKSPACE_PERMISSIONS", "ForbiddenError", "Requires", "check_declarations", "requires"]
