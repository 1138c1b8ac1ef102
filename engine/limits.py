"""Limits on what one run may produce: every node output, template and value is bounded.

The backend builds one `RunLimits` from its settings (README, "Limits") and hands it to the engine
with the other node services; `RunLimits()` holds the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunLimits:
    """Bounds on the values a run produces and the work its templates may do."""

    max_output_bytes: int = 1_000_000
    """Largest node output (and run output), measured as UTF-8 encoded JSON; larger fails the node."""
    max_run_output_bytes: int = 32_000_000
    """Largest total of a run's node outputs (every node and iteration); past it, nodes fail."""
    max_json_depth: int = 64
    """Deepest nesting of a node output or run value (objects and arrays)."""
    max_input_bytes: int = 1_000_000
    """Largest run inputs (and input of a re-run from a node), as UTF-8 encoded JSON."""
    max_human_input_bytes: int = 1_000_000
    """Largest answer to a human task, as UTF-8 encoded JSON."""
    max_template_output_bytes: int = 1_000_000
    """Largest text one template may render (UTF-8 bytes)."""
    template_cpu_seconds: float = 1.0
    """CPU time one template rendering may use before it fails its node."""
    max_event_output_bytes: int = 65_536
    """Largest node output (UTF-8 JSON) copied into its NODE_SUCCEEDED event; a larger one is
    referenced there instead (`outputRef`, see `engine.execution.output_refs`); 0 always copies."""
