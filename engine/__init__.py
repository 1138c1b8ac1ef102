"""Flowloom's workflow engine: the workflow language, graph validation and execution. A pure library."""
