"""Workflow graphs: validating definitions, templates, and the compiled graph the scheduler walks."""

from engine.graph.compiled import CompiledGraph
from engine.graph.problems import Problem, ProblemCode, json_path
from engine.graph.references import CONTEXT_NAMES, References, find_references, template_references
from engine.graph.templates import TemplateField, parse_template, template_environment, template_fields
from engine.graph.validation import Validation, validate_definition

__all__ = [
    "CONTEXT_NAMES",
    "CompiledGraph",
    "Problem",
    "ProblemCode",
    "References",
    "TemplateField",
    "Validation",
    "find_references",
    "json_path",
    "parse_template",
    "template_environment",
    "template_fields",
    "template_references",
    "validate_definition",
]
