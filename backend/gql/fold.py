"""Folding an operation document bottom-up, fragments expanded, without recursion.

A measure of a document (its depth, its aliases, its cost) is a value per selection set combined from
the values of the selection sets inside it and of the fragments it spreads. Computed naively, by
recursing into each spread, it is exponential: 24 fragments that each spread the next one twice took
Strawberry's depth limiter 241 s of CPU, and a chain of 500 fragments raised RecursionError. Here
each selection set is visited once and each fragment folded once, in dependency order, with explicit
stacks; a measure only says how to combine one selection set (`Combine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

V = TypeVar("V")


Combine = Callable[[SelectionSetNode, Mapping[int, V], Mapping[str, V]], V]
"""How a measure values one selection set: `combine(selection_set, inner, fragments)`.

`inner` holds the values of the selection sets of its fields and inline fragments, by `id()`;
`fragments` the values of the fragments folded so far, by name. A spread of a fragment missing from
`fragments` is of an unknown fragment or closes a cycle: validation reports both.
"""


def nested(selection_set: SelectionSetNode) -> Iterator[SelectionSetNode]:
    """The selection sets directly inside `selection_set` (of its fields and inline fragments)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
            yield selection.selection_set


def _spreads(selection_set: SelectionSetNode) -> set[str]:
    names: set[str] = set()
    pending = [selection_set]
    while pending:
        current = pending.pop()
        names.update(s.name.value for s in current.selections if isinstance(s, FragmentSpreadNode))
        pending.extend(nested(current))
    return names


def fold_selection_set(selection_set: SelectionSetNode, combine: Combine[V], fragments: Mapping[str, V]) -> V:
    """The value of `selection_set`, given the values of the fragments it spreads."""
    values: dict[int, V] = {}
    pending: list[tuple[SelectionSetNode, bool]] = [(selection_set, False)]
    while pending:
        node, children_done = pending.pop()
        if children_done:
            values[id(node)] = combine(node, values, fragments)
        else:
            pending.append((node, True))
            pending.extend((child, False) for child in nested(node))
    return values[id(selection_set)]


def fold_fragments(document: DocumentNode, combine: Combine[V]) -> dict[str, V]:
    """The value of every fragment definition, each folded after the fragments it spreads."""
    definitions = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    values: dict[str, V] = {}
    for root, definition in definitions.items():
        if root in values:
            continue
        path = [(root, iter(_spreads(definition.selection_set)))]
        on_path = {root}
        while path:
            name, spreads = path[-1]
            for spread in spreads:
                if spread in definitions and spread not in values and spread not in on_path:
                    path.append((spread, iter(_spreads(definitions[spread].selection_set))))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                values[name] = fold_selection_set(definitions[name].selection_set, combine, values)
    return values


def fold_operations(document: DocumentNode, combine: Combine[V]) -> list[tuple[OperationDefinitionNode, V]]:
    """Each operation of the document with its value, fragments expanded."""
    fragments = fold_fragments(document, combine)
    return [
        (definition, fold_selection_set(definition.selection_set, combine, fragments))
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
