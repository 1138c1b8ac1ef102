"""Roles and permissions: the access matrix of README's "Permissions" section, in one place.

Every GraphQL root field declares one `Permission` (backend/gql/permissions.py enforces it); a role
grants a set of them. Roles are ordered: each has every permission of the roles below it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's (or a token's) role in a workspace, lowest first."""

    VIEWER = "viewer"
    RUNNER = "runner"
    EDITOR = "editor"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        """Position in the order viewer < runner < editor < admin < owner."""
        return _ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        """Whether this role has every permission of `other`."""
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Role | None:
        """The role named `value` (any case), or None."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            return None


_ORDER = (Role.VIEWER, Role.RUNNER, Role.EDITOR, Role.ADMIN, Role.OWNER)


def lower_role(first: Role, second: Role) -> Role:
    """The lower of two roles (a token never acts above its creator)."""
    return first if first.rank <= second.rank else second


class Permission(StrEnum):
    """What a GraphQL field needs from its caller."""

    PUBLIC = "public"
    """Anyone, signed in or not."""
    SIGNED_IN = "signed-in"
    """Any signed-in person or token, whatever their role (the viewer, their workspaces)."""
    ACCOUNT = "account"
    """A person signed in with a browser session, not a token (their password, their workspaces)."""
    READ = "read"
    """Read the workspace's workflows, runs, human tasks and credential names."""
    RUN = "run"
    """Start, cancel, retry and rerun runs; answer human tasks."""
    EDIT = "edit"
    """Create, change and delete workflows, collections and credentials."""
    MANAGE = "manage"
    """Invite, change and remove members; manage tokens; read the audit log; rename the workspace."""
    OWN = "own"
    """Delete the workspace; make and unmake owners."""


_GRANTS = (Permission.READ, Permission.RUN, Permission.EDIT, Permission.MANAGE, Permission.OWN)
"""What each role in `_ORDER` adds to the one below it."""
_WORKSPACE_PERMISSIONS = {role: frozenset(_GRANTS[: index + 1]) for index, role in enumerate(_ORDER)}

WORKSPACE_PERMISSIONS = frozenset(_GRANTS)
"""Permissions that are held in a workspace, through a role."""


def permissions_of(role: Role) -> frozenset[Permission]:
    """The workspace permissions `role` grants."""
    return _WORKSPACE_PERMISSIONS[role]


def lowest_role_with(permission: Permission) -> Role:
    """The lowest role that holds a workspace permission."""
    for role in _ORDER:
        if permission in _WORKSPACE_PERMISSIONS[role]:
            return role
    raise ValueError(f"{permission} is not held through a role")
