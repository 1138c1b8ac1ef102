"""JSON paths: how problems say where in a document something is (`nodes[0].params.headers["X"]`)."""

import re
from collections.abc import Iterable

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts: Iterable[str | int]) -> str:
    """Write a location as a JSON path: `nodes[0].params.headers["Content-Type"]`.

    Args:
        parts: Keys and list indexes from the root of the definition.

    Returns:
        The path; keys that are not plain names are quoted in brackets.
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            quoted = part.replace("\\", "\\\\").replace('"', '\\"')
            text += f'["{quoted}"]'
    return text
