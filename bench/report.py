"""How every benchmark reports: one JSON object on stdout, and optionally in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(result: dict[str, Any], path: Path | None) -> None:
    """Print `result` as one JSON line; with `path`, write the same line there."""
    text = json.dumps(result)
    print(text)
    if path is not None:
        path.write_text(text + "\n", encoding="utf-8")
