"""GraphQL types of node tests: one node executed on its own from the editor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from backend.gql.common import NotFound, Problem
from backend.runs import records
from backend.runs.records import NodeTestResult
from backend.runs.types import MissingCredentials, NodeStatus, Usage
from backend.workflows.types import InvalidWorkflow


@strawberry.input(
    name="TestNodeInput", description="One node of the definition being edited, and what it should see."
)
class NodeTestInput:
    workflow_id: strawberry.ID = strawberry.field(
        description="The workflow being edited (the test is kept with it)."
    )
    definition: JSON = strawberry.field(description="The definition as edited, saved or not.")
    node_id: str
    input: JSON | None = strawberry.field(default=None, description="The node's `{{input}}`.")
    inputs: JSON | None = strawberry.field(default=None, description="Run inputs (`{{inputs.x}}`).")
    upstream: JSON | None = strawberry.field(
        default=None, description="Outputs of other nodes by id (`{{nodes.X.output}}`)."
    )


@strawberry.type(
    description="A node executed on its own (not a run): its input, output or error, usage and timing."
)
class NodeTest:
    id: strawberry.ID
    workflow_id: strawberry.ID
    node_id: str
    kind: str
    status: NodeStatus = strawberry.field(
        description="SUCCEEDED, FAILED, or WAITING for a human node (its output is the task it would open)."
    )
    input: JSON | None
    output: JSON | None
    error: str | None
    branch: str | None = strawberry.field(description="The branch a condition node took.")
    usage: Usage | None
    started_at: datetime
    finished_at: datetime
    duration_ms: int = strawberry.field(description="How long the node took, in milliseconds.")

    @classmethod
    def of(cls, test: records.NodeTestRecord) -> NodeTest:
        """Build from the service's record."""
        return cls(
            id=strawberry.ID(str(test.id)),
            workflow_id=strawberry.ID(str(test.workflow_id)),
            node_id=test.node_id,
            kind=test.kind,
            status=test.status,
            input=JSON(test.input),
            output=JSON(test.output),
            error=test.error,
            branch=test.branch,
            usage=Usage.of(test.usage),
            started_at=test.started_at,
            finished_at=test.finished_at,
            duration_ms=round((test.finished_at - test.started_at).total_seconds() * 1000),
        )


@strawberry.type(description="The test's input, run inputs or upstream outputs were refused; nothing ran.")
class InvalidNodeTestInput:
    problems: list[Problem]


TestNodeResult = Annotated[
    NodeTest | InvalidWorkflow | InvalidNodeTestInput | MissingCredentials | NotFound,
    strawberry.union("TestNodeResult"),
]


def node_test_result(
    result: NodeTestResult,
) -> NodeTest | InvalidWorkflow | InvalidNodeTestInput | MissingCredentials | NotFound:
    """The GraphQL member of `testNode`'s union for the service's answer."""
    match result:
        case records.NodeTestRecord():
            return NodeTest.of(result)
        case records.InvalidNodeTestInput(problems=found):
            return InvalidNodeTestInput(problems=[Problem.from_record(item) for item in found])
        case records.MissingCredentials(provider=provider, message=message):
            return MissingCredentials(provider=provider, message=message)
        case records.NotFound(id=id_, message=message):
            return NotFound(id=strawberry.ID(id_), message=message)
    return InvalidWorkflow.from_record(result)
