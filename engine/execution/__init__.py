"""Workflow execution: the scheduler that runs a compiled graph against the engine's ports."""

from engine.execution.engine import Engine, utc_now
from engine.execution.outcomes import Accepted, InvalidInput, NoOpenTask, SubmitOutcome

__all__ = ["Accepted", "Engine", "InvalidInput", "NoOpenTask", "SubmitOutcome", "utc_now"]
