"""The GraphQL operation documents of graphql/*.graphql, by operation name, for the tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

DOCUMENTS = Path(__file__).resolve().parents[1] / "graphql"


def documents() -> dict[Path, DocumentNode]:
    """Every operation document, parsed."""
    return {path: parse(path.read_text()) for path in sorted(DOCUMENTS.glob("*.graphql"))}


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    collector = _Spreads()
    visit(node, collector)
    return collector.names


@cache
def operation(name: str) -> str:
    """The text of operation `name` with every fragment it uses."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: dict[str, OperationDefinitionNode] = {}
    for document in documents().values():
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
            elif isinstance(definition, OperationDefinitionNode) and definition.name:
                operations[definition.name.value] = definition
    wanted = operations[name]
    needed: list[FragmentDefinitionNode] = []
    pending = _spreads(wanted)
    seen: set[str] = set()
    while pending:
        fragment = fragments[pending.pop()]
        if fragment.name.value not in seen:
            seen.add(fragment.name.value)
            needed.append(fragment)
            pending |= _spreads(fragment) - seen
    return "\n\n".join(print_ast(node) for node in (wanted, *needed))
