"""The `condition` node: takes one of several branches; the only kind a loop may pass through."""

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from engine.dsl.base import ERROR_BRANCH, DslModel, Identifier
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import EXPRESSION_TEMPLATE


def check_branch_not_reserved(branch: str) -> str:
    """Refuse the branch name that error edges use.

    Args:
        branch: A branch name.

    Returns:
        The name, unchanged.

    Raises:
        PydanticCustomError: `reserved_branch`.
    """
    if branch == ERROR_BRANCH:
        raise PydanticCustomError(
            "reserved_branch", "The branch name '{branch}' is reserved for error edges", {"branch": branch}
        )
    return branch


BranchName = Annotated[Identifier, AfterValidator(check_branch_not_reserved)]
"""A branch of a condition: an identifier other than `error`."""


class Case(DslModel):
    """One test of a condition, and the branch taken when it is the first to hold."""

    branch: BranchName
    """The branch taken; edges leaving the node name it in `branch`."""
    when: Annotated[str, Field(min_length=1), EXPRESSION_TEMPLATE]
    """A template expression, e.g. `input.score > 0.5`; the case holds when it is truthy."""


class ConditionParams(DslModel):
    """Parameters of a `condition` node."""

    cases: Annotated[list[Case], Field(min_length=1)]
    """Tested in order; the first that holds picks the branch."""
    default: BranchName = "default"
    """The branch taken when no case holds."""
    max_iterations: Annotated[int, Field(ge=1, le=1000)] = 10
    """How often each node of a loop through this condition may run in one run."""

    @field_validator("cases")
    @classmethod
    def _branches_unique(cls, cases: list[Case]) -> list[Case]:
        names = [case.branch for case in cases]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate_branch",
                "Each case needs its own branch: {names} appear more than once",
                {"names": ", ".join(duplicates)},
            )
        return cases


class ConditionNode(NodeBase):
    """Tests its cases in order and takes the branch of the first that holds; the others are skipped."""

    title: ClassVar[str] = "Condition"
    named_branches_required: ClassVar[bool] = True
    bounds_loops: ClassVar[bool] = True

    type: Literal["condition"]
    """The node kind."""
    params: ConditionParams
    """The cases and the default branch."""

    def branches(self) -> tuple[str, ...]:
        """The case branches in order, then the default branch.

        Returns:
            The branch names.
        """
        names = [case.branch for case in self.params.cases]
        if self.params.default not in names:
            names.append(self.params.default)
        return tuple(names)
