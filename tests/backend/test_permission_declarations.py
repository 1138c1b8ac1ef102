"""No root field ships without a permission, and README's matrix says what the code does."""

from __future__ import annotations

from pathlib import Path

import pytest
import strawberry

from backend.accounts.roles import WORKSPACE_PERMISSIONS, Permission, Role, permissions_of
from backend.gql.permissions import check_declarations, requires
from backend.gql.schema import Mutation, Query, Subscription, build_schema
from backend.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
FIELDS_HEADING = "### Root fields and the permission each needs"
SETTINGS = Settings(home=Path("unused"))


def _fine() -> str:
    return "fine"


@strawberry.type
class DeclaredQuery:
    declared: str = strawberry.field(resolver=_fine, extensions=requires(Permission.READ))


@strawberry.type
class HalfDeclaredMutation:
    guarded: str = strawberry.mutation(resolver=_fine, extensions=requires(Permission.EDIT))
    unguarded: str = strawberry.mutation(resolver=_fine)


def _level(line: str) -> int:
    """A Markdown heading's level (0: not a heading)."""
    marks = len(line) - len(line.lstrip("#"))
    return marks if marks and line[marks:].startswith(" ") else 0


def _section(text: str, heading: str) -> list[str]:
    """The lines under `heading`, up to the next heading of the same or a higher level."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    ends = (i for i in range(start, len(lines)) if 0 < _level(lines[i]) <= _level(heading))
    return lines[start : next(ends, len(lines))]


def _tables(lines: list[str]) -> list[list[list[str]]]:
    """Every Markdown table in `lines`, as rows of cells (the header row first, the rule left out)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= {"-", ":"} for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _declared() -> dict[str, str]:
    return {
        field: permission.value
        for field, permission in check_declarations((Query, Mutation, Subscription)).items()
    }


def test_a_schema_with_an_undeclared_root_field_is_refused() -> None:
    with pytest.raises(TypeError, match=r"HalfDeclaredMutation\.unguarded declares no permission"):
        build_schema(SETTINGS, query=DeclaredQuery, mutation=HalfDeclaredMutation, subscription=None)


def test_a_schema_whose_root_fields_all_declare_one_builds() -> None:
    schema = build_schema(SETTINGS, query=DeclaredQuery, mutation=None, subscription=None)

    assert "declared" in schema.as_str()


def test_declarations_are_named_as_clients_name_the_fields() -> None:
    declared = check_declarations((DeclaredQuery, None, Subscription))

    assert declared["DeclaredQuery.declared"] is Permission.READ
    assert declared["Subscription.runEvents"] is Permission.READ


def test_readme_lists_every_root_field_with_the_permission_it_declares() -> None:
    declared = _declared()
    expected = "\n".join(f"| `{field}` | {declared[field]} |" for field in sorted(declared))

    (table,) = _tables(_section(README.read_text(), FIELDS_HEADING))
    header, *rows = table
    listed = [(field.strip("`"), permission) for field, permission in rows]

    assert header == ["field", "permission"]
    assert dict(listed) == declared, (
        f"README's table of root fields is stale; its rows should be:\n{expected}"
    )
    assert [field for field, _ in listed] == sorted(declared), "keep README's root fields sorted"


def test_readme_role_table_grants_what_permissions_of_grants() -> None:
    tables = _tables(_section(README.read_text(), "## Permissions"))
    header, *rows = next(table for table in tables if table[0][0] == "role")

    granted = {
        Role(row[0]): {
            Permission(name) for name, mark in zip(header[1:], row[1:], strict=True) if mark == "✓"
        }
        for row in rows
    }

    assert set(header[1:]) == {permission.value for permission in WORKSPACE_PERMISSIONS}
    assert granted == {role: set(permissions_of(role)) for role in Role}


def test_readme_says_what_every_workspace_permission_covers() -> None:
    tables = _tables(_section(README.read_text(), "## Permissions"))
    covers = next(table for table in tables if table[0] == ["permission", "covers"])

    assert sorted(row[0] for row in covers[1:]) == sorted(p.value for p in WORKSPACE_PERMISSIONS)
