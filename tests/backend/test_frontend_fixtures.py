"""The front end's committed `nodeKinds` fixture matches what the engine serves."""

import importlib.util
import json
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def test_node_kinds_fixture_is_current() -> None:
    """`frontend/src/test/nodeKinds.json` is what `npm run fixtures` would write now."""
    spec = importlib.util.spec_from_file_location(
        "export_node_kinds", FRONTEND / "scripts" / "export_node_kinds.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (FRONTEND / "src" / "test" / "nodeKinds.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(module.node_kinds_json()), (
        "frontend/src/test/nodeKinds.json is stale: run `npm run fixtures` in frontend/"
    )
