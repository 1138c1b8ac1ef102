"""Small builders of raw workflow definitions (plain JSON, as clients send them)."""

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from engine.graph import Problem, Validation

SEED_PATH = Path(__file__).parent.parent / "fixtures" / "seed_workflow.json"

JsonObject = dict[str, Any]


def seed() -> JsonObject:
    """The seed design's workflow, as saved in the fixture."""
    raw: JsonObject = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    return raw


def node(node_id: str, kind: str, **params: Any) -> JsonObject:
    """A node of any kind."""
    return {"id": node_id, "type": kind, "params": params}


def template(node_id: str, text: str = "{{ input }}") -> JsonObject:
    """A template node: the kind with the fewest params."""
    return node(node_id, "template", template=text)


def llm(node_id: str, prompt: str = "{{ input }}", **params: Any) -> JsonObject:
    """An llm node on the offline test model."""
    return node(node_id, "llm", model="test", prompt=prompt, **params)


def condition(node_id: str, *branches: str, default: str = "default") -> JsonObject:
    """A condition node with one case per branch."""
    cases = [{"branch": branch, "when": f"input == '{branch}'"} for branch in branches]
    return node(node_id, "condition", cases=cases, default=default)


def edge(source: str, target: str, branch: str | None = None) -> JsonObject:
    """An edge, with a branch when given."""
    raw: JsonObject = {"from": source, "to": target}
    if branch is not None:
        raw["branch"] = branch
    return raw


def workflow(*nodes: JsonObject, edges: list[JsonObject] | None = None, **root: Any) -> JsonObject:
    """A definition of these nodes; by default a chain in the order given."""
    if edges is None:
        edges = [edge(a["id"], b["id"]) for a, b in itertools.pairwise(nodes)]
    return {**root, "nodes": [copy.deepcopy(raw) for raw in nodes], "edges": edges}


def codes(validation: Validation) -> set[str]:
    """The distinct problem codes of a validation."""
    return {problem.code for problem in validation.problems}


def located(problem: Problem) -> tuple[str, str | None, str | None]:
    """What a client matches a problem on: its code, JSON path and node id."""
    return problem.code, problem.path, problem.node_id


def only_problem(validation: Validation) -> Problem:
    """The one problem of a validation that must have exactly one."""
    assert len(validation.problems) == 1, validation.problems
    return validation.problems[0]
