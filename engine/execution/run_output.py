"""A run's output: what its output nodes produced, or else what its leaves did."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from engine.execution.plan import Plan
from engine.records import NodeRun, NodeStatus


def run_output(plan: Plan, latest: Mapping[str, NodeRun]) -> JsonValue:
    """The output of a finished run.

    Args:
        plan: The run's plan.
        latest: Each node's latest node run.

    Returns:
        The output node's output; with several output nodes, a mapping of the ones that succeeded to
        their output; without output nodes, a mapping of each leaf (no outgoing edge) that succeeded
        to its output.
    """
    chosen = plan.output_nodes or plan.leaves
    done: dict[str, JsonValue] = {}
    for node_id in chosen:
        row = latest.get(node_id)
        if row is not None and row.status is NodeStatus.SUCCEEDED:
            done[node_id] = row.output
    if len(plan.output_nodes) == 1:
        return done.get(plan.output_nodes[0])
    return done
