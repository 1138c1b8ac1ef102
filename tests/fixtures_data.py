"""Workflow definitions the tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_workflow() -> dict[str, Any]:
    """The seed design's workflow JSON, verbatim; it must stay valid forever."""
    data: dict[str, Any] = json.loads((FIXTURES / "seed_workflow.json").read_text())
    return data


def template_chain(length: int, prefix: str = "t") -> dict[str, Any]:
    """A valid chain of `length` template nodes."""
    nodes = [
        {"id": f"{prefix}{i}", "type": "template", "params": {"template": "{{input}}"}} for i in range(length)
    ]
    edges = [{"from": f"{prefix}{i}", "to": f"{prefix}{i + 1}"} for i in range(length - 1)]
    return {"nodes": nodes, "edges": edges}
