"""Hard limits on what a workflow definition may contain.

They bound the work one request can cause: validation, storage and scheduling cost grow with the
size of a definition, so every entry point refuses anything larger before doing that work.
"""

MAX_NODES = 500
"""Most nodes one workflow may have."""

MAX_DEFINITION_BYTES = 1_000_000
"""Largest definition accepted, measured as UTF-8 encoded JSON."""

MAX_DEFINITION_DEPTH = 64
"""Deepest nesting of arrays and objects in a definition (JSON Schemas and request bodies nest)."""

MAX_NAME_LENGTH = 200
"""Longest workflow name accepted."""
