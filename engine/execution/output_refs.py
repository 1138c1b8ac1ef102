"""Large node outputs are stored once: in the node run, not copied into its NODE_SUCCEEDED event.

Every persisted event is written to the event log and published to every subscriber, so a 1 MB
output copied into its event costs a second megabyte on disk, one per replay and one per live
subscriber. Above `RunLimits.max_event_output_bytes` the event carries a reference instead:

    {"iteration": 0, "outputRef": {"nodeId": "n1", "iteration": 0, "bytes": 1048576}}

and clients read the output from the node run (`Run.nodeRun(nodeId, iteration) { output }`).
NODE_STARTED does the same with the node's input, which holds its parents' outputs again
(`inputRef`, same fields; read `Run.nodeRun(…) { input }`), and RUN_SUCCEEDED with the run's
output (`{"outputRef": {"bytes": N}, "usage": …}`; read `Run.output`), which holds them too.
"""

from __future__ import annotations

from pydantic import JsonValue

from engine.value_policy import json_size

OUTPUT_REF = "outputRef"
"""The key of a NODE_SUCCEEDED event's data that stands for an output too large to copy."""
INPUT_REF = "inputRef"
"""The key of a NODE_STARTED event's data that stands for an input too large to copy."""


def output_fields(
    node_id: str, iteration: int, output: JsonValue, size: int | None, inline_max: int
) -> dict[str, JsonValue]:
    """The output part of a NODE_SUCCEEDED event's data: the output, or a reference to it.

    Args:
        node_id: The node.
        iteration: The node run's iteration.
        output: The output.
        size: Its size as UTF-8 JSON when known (None: measured here).
        inline_max: The largest output copied (`RunLimits.max_event_output_bytes`); 0 copies all.

    Returns:
        `{"output": output}`, or `{"outputRef": {"nodeId", "iteration", "bytes"}}`.
    """
    if inline_max <= 0:
        return {"output": output}
    measured = json_size(output) if size is None else size
    if measured <= inline_max:
        return {"output": output}
    return {OUTPUT_REF: {"nodeId": node_id, "iteration": iteration, "bytes": measured}}


def input_fields(node_id: str, iteration: int, value: JsonValue, inline_max: int) -> dict[str, JsonValue]:
    """The input part of a NODE_STARTED event's data: the rendered input, or a reference to it.

    Args:
        node_id: The node.
        iteration: The node run's iteration.
        value: The node's input.
        inline_max: The largest input copied (`RunLimits.max_event_output_bytes`); 0 copies all.

    Returns:
        `{"input": value}`, or `{"inputRef": {"nodeId", "iteration", "bytes"}}`.
    """
    if inline_max <= 0 or value is None or isinstance(value, (bool, int, float)):
        return {"input": value}
    measured = json_size(value)
    if measured <= inline_max:
        return {"input": value}
    return {INPUT_REF: {"nodeId": node_id, "iteration": iteration, "bytes": measured}}


def run_output_fields(output: JsonValue, inline_max: int) -> dict[str, JsonValue]:
    """The output part of a RUN_SUCCEEDED event's data: the run's output, or a reference to it.

    Args:
        output: The run's output.
        inline_max: The largest output copied (`RunLimits.max_event_output_bytes`); 0 copies all.

    Returns:
        `{"output": output}`, or `{"outputRef": {"bytes"}}`.
    """
    if inline_max <= 0:
        return {"output": output}
    measured = json_size(output)
    if measured <= inline_max:
        return {"output": output}
    return {OUTPUT_REF: {"bytes": measured}}
