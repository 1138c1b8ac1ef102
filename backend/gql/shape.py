"""The shape of an operation with its fragments expanded (depth, aliases), measured without recursion.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` walk fragment spreads recursively and without
memory: a chain of 500 fragments raised RecursionError (a 2,000-line traceback), and 24 fragments
that each spread the next one twice took 241 s of CPU. Here the document is folded by
`backend.gql.fold`: each selection set visited once, each fragment measured once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from backend.gql.fold import fold_operations


@dataclass(frozen=True, slots=True)
class Shape:
    """What the limits look at in a selection set, its fragments expanded."""

    depth: int
    """Nesting of fields with selections (introspection fields do not count, as in Strawberry)."""
    aliases: int
    """Aliased fields, counted once per place a fragment is spread, as in Strawberry."""


_NOTHING = Shape(depth=0, aliases=0)


def _combine(
    selection_set: SelectionSetNode, shapes: Mapping[int, Shape], fragments: Mapping[str, Shape]
) -> Shape:
    depth = aliases = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            aliases += selection.alias is not None
            if selection.selection_set:
                inner = shapes[id(selection.selection_set)]
                aliases += inner.aliases
                # introspection fields do not count, as in Strawberry's limiter (GraphiQL nests them)
                if not selection.name.value.startswith("__"):
                    depth = max(depth, 1 + inner.depth)
        elif isinstance(selection, InlineFragmentNode):
            inner = shapes[id(selection.selection_set)]
            depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        elif isinstance(selection, FragmentSpreadNode):
            # unknown fragments and spreads closing a cycle add nothing: validation reports them
            spread = fragments.get(selection.name.value, _NOTHING)
            depth, aliases = max(depth, spread.depth), aliases + spread.aliases
    return Shape(depth=depth, aliases=aliases)


def operation_shapes(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Shape]]:
    """Each operation of the document with its shape, fragments expanded."""
    return fold_operations(document, _combine)
