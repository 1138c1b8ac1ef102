"""Cost budgets: holding a model call that would exceed one until a person approves it.

Before each attempt of an `llm` node, the execution asks the `BudgetGuard` port whether the call
fits. When it does not, the node goes WAITING with a human task (a *budget hold*: its `budget` names
the budget) whose prompt gives the cost so far, the budget and its limit, and whose schema asks
`{"approve": boolean}`. Approving runs the node again (its model call proceeds) and extends this
run's allowance on that budget by one more limit, so the run is not stopped again until it has spent
that much more; rejecting fails the run. Holds are human tasks, so they are durable and survive a
restart exactly like human nodes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import JsonValue

from engine.dsl import LlmNode, Node
from engine.ports import BudgetExceeded, SpendRequest
from engine.pricing import PriceTable
from engine.records import HumanTask, TaskStatus
from engine.value_policy import json_size

CHARS_PER_TOKEN = 4
"""The usual rule of thumb for English text; the estimate only has to be in the right range."""

DEFAULT_OUTPUT_TOKENS = 256
"""Output tokens an estimate assumes for a node without `maxTokens`."""

APPROVAL_SCHEMA: dict[str, JsonValue] = {
    "type": "object",
    "title": "Budget approval",
    "properties": {
        "approve": {
            "type": "boolean",
            "title": "Approve the spend",
            "description": "Yes: the call goes ahead, and this run may spend one more budget limit. "
            "No: the run fails.",
        }
    },
    "required": ["approve"],
    "additionalProperties": False,
}
"""What a budget hold asks for."""


class NoBudgets:
    """A `BudgetGuard` without budgets: every call goes ahead."""

    async def check(self, request: SpendRequest) -> BudgetExceeded | None:
        """Always None."""
        return None


def allowance(limit_usd: float, approvals: int) -> float:
    """What a run may let a budget count: its limit, plus one limit per approval in this run."""
    return limit_usd * (1 + approvals)


def exceeds(spent_usd: float, estimate_usd: float, limit_usd: float, approvals: int) -> bool:
    """Whether a call estimated at `estimate_usd` breaks a budget that counted `spent_usd` so far.

    The known spend alone decides once it has reached the allowance (an estimate of 0, for a model
    without a price, must not let a run go on past its budget).
    """
    room = allowance(limit_usd, approvals)
    return spent_usd >= room or spent_usd + estimate_usd > room


def planned_model(spec: Node) -> str | None:
    """The model an attempt of this node will call, for the nodes budgets hold (`llm`)."""
    return spec.params.model if isinstance(spec, LlmNode) else None


def estimate(spec: LlmNode, value: JsonValue, prices: PriceTable) -> float:
    """What one attempt of an `llm` node is expected to cost, before its templates are rendered.

    Input tokens are counted from the prompt and system templates and the node's `{{input}}`
    (whatever of it the templates use), output tokens are `maxTokens` or `DEFAULT_OUTPUT_TOKENS`.
    """
    params = spec.params
    chars = len(params.prompt) + len(params.system or "") + json_size(value)
    output_tokens = params.max_tokens if params.max_tokens is not None else DEFAULT_OUTPUT_TOKENS
    return prices.estimate(params.model, chars // CHARS_PER_TOKEN, output_tokens)


def _usd(amount: float) -> str:
    return f"${amount:,.4f}" if amount < 1 else f"${amount:,.2f}"


def hold_prompt(exceeded: BudgetExceeded, request: SpendRequest) -> str:
    """What a budget hold tells the person asked to approve it."""
    extended = exceeded.allowance_usd > exceeded.limit_usd
    allowed = (
        f"this run's allowance on it, extended by earlier approvals, is {_usd(exceeded.allowance_usd)}"
        if extended
        else f"its limit is {_usd(exceeded.limit_usd)}"
    )
    return (
        f"Budget check: node {request.node_id} is about to call {request.model}, estimated at "
        f"{_usd(request.estimate_usd)}. {exceeded.description[:1].upper()}{exceeded.description[1:]} "
        f"has counted {_usd(exceeded.spent_usd)} so far, and {allowed}; this run has cost "
        f"{_usd(request.run_cost_usd)}. Approve to let the call go ahead (the run may then spend up to "
        f"{_usd(exceeded.limit_usd)} more against this budget before it asks again), or reject to "
        "fail the run."
    )


def approved(value: JsonValue) -> bool:
    """Whether an answer to a budget hold approves it (it matched `APPROVAL_SCHEMA`)."""
    return isinstance(value, dict) and value.get("approve") is True


def approvals_of(tasks: Iterable[HumanTask]) -> dict[str, int]:
    """How often a hold on each budget was approved, from a run's recorded human tasks."""
    counted: dict[str, int] = {}
    for task in tasks:
        if task.budget is not None and task.status is TaskStatus.DONE and approved(task.input):
            counted[task.budget] = counted.get(task.budget, 0) + 1
    return counted


def rejection(task: HumanTask) -> str:
    """The run's error when a budget hold is rejected."""
    return f"node {task.node_id} was stopped by a budget: the spend was not approved"
