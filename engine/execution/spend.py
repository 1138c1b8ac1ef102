"""The budget check before an attempt's model call (`engine.budgets`), as the driver makes it."""

from __future__ import annotations

from collections.abc import Mapping

from engine.budgets import APPROVAL_SCHEMA, estimate, hold_prompt
from engine.dsl import LlmNode, Node
from engine.execution.context import RunScope
from engine.execution.jobs import Attempt, Failure, failure
from engine.nodes.base import HumanWait, NodeResult
from engine.ports import SpendRequest
from engine.records import Usage


async def budget_hold(
    spec: Node, job: Attempt, scope: RunScope, usage: Usage, approvals: Mapping[str, int]
) -> NodeResult | Failure | None:
    """Ask the budgets whether an attempt of an `llm` node may call its model.

    Args:
        spec: The node.
        job: The attempt, not started yet.
        scope: The run's shared scope (its services hold the prices and the budget guard).
        usage: What the run has spent so far.
        approvals: The run's approved holds, by budget key.

    Returns:
        None to go ahead; a wait on a budget hold; or a (retryable) failure when the budgets could
        not be checked, since going ahead unchecked could overspend.
    """
    if not isinstance(spec, LlmNode):
        return None
    services = scope.services
    model = spec.params.model
    request = SpendRequest(
        scope.workspace_id,
        scope.run_id,
        job.node_id,
        model,
        estimate(spec, job.input, services.prices),
        usage.cost_usd,
        dict(approvals),
    )
    try:
        exceeded = await services.budgets.check(request)
    except Exception as error:  # the guard's store is unreachable: the attempt fails, and may retry
        return failure(f"the budgets could not be checked: {type(error).__name__}: {error}", retryable=True)
    if exceeded is None:
        return None
    return NodeResult(wait=HumanWait(hold_prompt(exceeded, request), APPROVAL_SCHEMA, budget=exceeded.budget))
