"""Print the `nodeKinds` query's answer as JSON, for the front end's test fixture.

Run with the repository's Python: `npm run fixtures` writes it to `src/test/nodeKinds.json`. The
fields use the GraphQL names (camelCase), so the fixture looks exactly like the API's answer, and
`tests/backend/test_frontend_fixtures.py` fails when the committed file is stale.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.dsl import node_kinds


def node_kinds_json() -> str:
    """The `nodeKinds` list as the API serves it, as stable, indented JSON.

    Returns:
        The JSON text, ending with a newline.
    """
    kinds = [
        {
            "kind": info.kind,
            "title": info.title,
            "description": info.description,
            "paramsSchema": info.params_schema,
            "settingsSchema": info.settings_schema,
        }
        for info in node_kinds()
    ]
    return json.dumps(kinds, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(node_kinds_json())
