"""The cost of a GraphQL operation: how many objects it may return, refused over a limit before it runs.

Every field returning an object or a list of objects counts. A field with a `first` argument multiplies
what it selects by `first` (read from the variables when it is one; absent or null, the argument's
default, else the default page size). Any other list multiplies by its known hard cap or by an assumed
size, except the lists of a connection (`edges`), whose length is the connection's `first`. Fragments
count once per place they are spread: the document is folded as `backend.gql.fold` does it, so a
fragment bomb costs its (huge) value without the time. Introspection fields cost nothing: their size
is the schema's, not the data's.

No maintained library does this for Strawberry 0.341 (graphql-complexity crashes on a variable
without a default and pins strawberry < 0.292).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    value_from_ast_untyped,
    visit,
)

from backend.gql.fold import fold_fragments, fold_selection_set

QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"

CEILING = 10**12
"""Costs are counted up to here: a fragment bomb's cost would otherwise be a number of 1,000 digits."""


@dataclass(frozen=True, slots=True)
class CostModel:
    """The limit, and the sizes assumed for lists whose length the document does not say."""

    max_cost: int
    """Most objects one operation may ask for."""
    default_page_size: int
    """What `first` is when absent or null and the argument has no default of its own."""
    assumed_list_size: int = 10
    """Length assumed for a list without `first` and without a known cap (nodeRuns, events, versions)."""
    list_sizes: Mapping[str, int] = field(default_factory=dict)
    """Hard caps of lists without `first`, by `Type.field` (`Query.humanTasks`), used instead."""


@dataclass(frozen=True, slots=True)
class _Field:
    """What the cost of one field node depends on, from the schema."""

    is_list: bool
    paged: bool
    """The field takes `first`."""
    first_default: int | None
    size: int
    """Multiplier of a list without `first`."""


@dataclass(slots=True)
class _Plan:
    """The schema facts of one document's fields, by `id()` of their node; cached per document."""

    fields: dict[int, _Field]
    variable_first: bool
    """Whether some `first` is a variable (else the cost of an operation depends on nothing else)."""
    fixed: dict[str, int] = field(default_factory=dict)
    """Costs already computed of operations that depend on no variable, by operation name."""


class _Collect(Visitor):
    def __init__(self, type_info: TypeInfo, model: CostModel) -> None:
        super().__init__()
        self.type_info = type_info
        self.model = model
        self.plan = _Plan(fields={}, variable_first=False)

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent, definition = self.type_info.get_parent_type(), self.type_info.get_field_def()
        if parent is None or definition is None or node.name.value.startswith("__"):
            return
        if not is_composite_type(get_named_type(definition.type)):
            return  # scalars and enums are part of the object that holds them
        first = definition.args.get("first")
        default = first.default_value if first is not None else None
        if parent.name.endswith("Connection"):
            size = 1  # a connection's edges: as many as its `first`, counted there
        else:
            size = self.model.list_sizes.get(f"{parent.name}.{node.name.value}", self.model.assumed_list_size)
        self.plan.fields[id(node)] = _Field(
            is_list=is_list_type(get_nullable_type(definition.type)),
            paged=first is not None,
            first_default=default if isinstance(default, int) and not isinstance(default, bool) else None,
            size=size,
        )
        self.plan.variable_first |= any(
            a.name.value == "first" and isinstance(a.value, VariableNode) for a in node.arguments or ()
        )


class QueryCosts:
    """Computes operations' costs under a `CostModel`; remembers the schema facts of recent documents.

    Documents are remembered by identity (the parse cache hands out one object per query text), not
    by value: hashing a graphql-core document walks all of it.
    """

    def __init__(self, model: CostModel, maxsize: int = 256) -> None:
        self.model = model
        self.maxsize = maxsize
        self._plans: OrderedDict[int, tuple[DocumentNode, _Plan]] = OrderedDict()

    def _plan(self, schema: GraphQLSchema, document: DocumentNode) -> _Plan:
        cached = self._plans.get(id(document))
        if cached is not None and cached[0] is document:
            self._plans.move_to_end(id(document))
            return cached[1]
        type_info = TypeInfo(schema)
        collect = _Collect(type_info, self.model)
        visit(document, TypeInfoVisitor(type_info, collect))
        self._plans[id(document)] = (document, collect.plan)
        if len(self._plans) > self.maxsize:
            self._plans.popitem(last=False)
        return collect.plan

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> int:
        """The cost of the operation that would run; 0 when none would (execution says why)."""
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if len(operations) != 1:
            return 0
        operation = operations[0]
        plan = self._plan(schema, document)
        key = operation.name.value if operation.name else ""
        if not plan.variable_first and key in plan.fixed:
            return plan.fixed[key]
        values = _variable_values(operation, variables or {})
        combine = _Combine(plan, values, self.model.default_page_size)
        total = fold_selection_set(operation.selection_set, combine, fold_fragments(document, combine))
        if not plan.variable_first:
            plan.fixed[key] = total
        return total

    def errors(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> list[GraphQLError]:
        """The refusal of an operation over the limit, else nothing."""
        cost = self.cost(schema, document, variables, operation_name)
        if cost <= self.model.max_cost:
            return []
        amount = f"more than {CEILING}" if cost >= CEILING else str(cost)
        return [
            GraphQLError(
                f"The operation may return {amount} objects; the limit is {self.model.max_cost}. "
                "Ask for smaller pages (first) or fewer nested lists.",
                extensions={
                    "code": QUERY_TOO_COSTLY,
                    "cost": min(cost, CEILING),
                    "limit": self.model.max_cost,
                },
            )
        ]


def _variable_values(operation: OperationDefinitionNode, given: Mapping[str, Any]) -> dict[str, Any]:
    """The variables as the operation sees them: the given ones, else their declared defaults."""
    values = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    values.update(given)
    return values


class _Combine:
    """The cost of one selection set, from the costs of what it selects."""

    def __init__(self, plan: _Plan, variables: Mapping[str, Any], default_page_size: int) -> None:
        self.plan = plan
        self.variables = variables
        self.default_page_size = default_page_size

    def __call__(
        self, selection_set: SelectionSetNode, inner: Mapping[int, int], fragments: Mapping[str, int]
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                facts = self.plan.fields.get(id(selection))
                if facts is not None:
                    below = inner[id(selection.selection_set)] if selection.selection_set else 0
                    total += self._field(selection, facts, below)
            elif isinstance(selection, InlineFragmentNode):
                total += inner[id(selection.selection_set)]
            elif isinstance(selection, FragmentSpreadNode):
                total += fragments.get(selection.name.value, 0)
        return min(total, CEILING)

    def _field(self, node: FieldNode, facts: _Field, below: int) -> int:
        if not facts.paged:
            return facts.size * (1 + below) if facts.is_list else 1 + below
        first = self._first(node, facts)
        # a paged list is `first` objects; a connection is one object holding `first` edges
        return first * (1 + below) if facts.is_list else 1 + first * below

    def _first(self, node: FieldNode, facts: _Field) -> int:
        value: Any = None
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value)
                elif isinstance(argument.value, IntValueNode):
                    value = int(argument.value.value)
                break
        else:
            value = facts.first_default
        if value is None:
            value = self.default_page_size if facts.first_default is None else facts.first_default
        if not isinstance(value, int) or isinstance(value, bool):
            return self.default_page_size  # not an Int: coercing the variables will refuse it
        return max(0, min(value, CEILING))
