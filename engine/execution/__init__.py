"""Workflow execution: the scheduler that runs a compiled graph against the engine's ports."""

from engine.execution.engine import Engine, utc_now
from engine.execution.outcomes import Accepted, InvalidInput, NoOpenTask, SubmitOutcome
from engine.execution.single_node import SingleNodeOutcome, run_single_node

__all__ = [
    "Accepted",
    "Engine",
    "InvalidInput",
    "NoOpenTask",
    "SingleNodeOutcome",
    "SubmitOutcome",
    "run_single_node",
    "utc_now",
]
