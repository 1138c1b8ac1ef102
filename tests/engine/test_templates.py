"""The shared template environment, and the enumeration of a node's templates."""

from typing import Any

import pytest
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from engine.dsl import ConditionNode, HttpTool, LlmNode, OutputNode, ToolNode
from engine.graph import TemplateField, parse_template, template_environment, template_fields
from engine.limits import RunLimits
from engine.sandbox import TemplateBudget, TemplateLimitError


def render(source: str, **scope: Any) -> str:
    """Render with the shared environment, under the default budget."""
    template = template_environment().from_string(source)
    return TemplateBudget.in_thread(RunLimits()).run(template.render, scope)


def test_the_environment_is_one_shared_sandbox() -> None:
    assert template_environment() is template_environment()
    assert isinstance(template_environment(), SandboxedEnvironment)


def test_templates_evaluate_only_under_a_budget() -> None:
    template = template_environment().from_string("{{ input }}")

    with pytest.raises(TemplateLimitError, match="only under a budget"):
        template.render(input="x")


def test_an_undefined_name_fails_instead_of_rendering_empty() -> None:
    with pytest.raises(UndefinedError):
        render("{{ inputs.missing }}", inputs={})


def test_templates_cannot_reach_python_internals() -> None:
    with pytest.raises(SecurityError):
        render("{{ input.__class__.__mro__ }}", input="x")


def test_templates_cannot_modify_the_outputs_they_read() -> None:
    outputs = {"a": {"output": [0]}}

    with pytest.raises(SecurityError):
        render("{{ nodes.a.output.append(1) }}", nodes=outputs)
    assert outputs["a"]["output"] == [0]


def test_text_is_not_html_escaped() -> None:
    assert render("{{ input }}", input="<b>&</b>") == "<b>&</b>"


def test_an_expression_parses_as_one_expression() -> None:
    parse_template("input.score > 0.5 and iteration < 3", is_expression=True)

    with pytest.raises(TemplateSyntaxError):
        parse_template("input }} {{ input", is_expression=True)


def test_template_fields_lists_every_template_of_an_llm_node_with_its_path() -> None:
    tool = {"type": "http", "name": "lookup", "description": "d", "url": "https://x.example/{{ input }}"}
    llm = LlmNode.model_validate(
        {"id": "a", "type": "llm", "params": {"model": "test", "prompt": "P", "system": "S", "tools": [tool]}}
    )

    assert list(template_fields(llm)) == [
        TemplateField("params.prompt", "P", False),
        TemplateField("params.system", "S", False),
        TemplateField("params.tools[0].url", "https://x.example/{{ input }}", False),
    ]
    assert isinstance(llm.params.tools[0], HttpTool)


def test_template_fields_skips_unset_optional_templates() -> None:
    llm = LlmNode.model_validate({"id": "a", "type": "llm", "params": {"model": "test", "prompt": "P"}})

    assert [field.path for field in template_fields(llm)] == ["params.prompt"]


def test_condition_cases_are_expressions() -> None:
    condition = ConditionNode.model_validate(
        {"id": "c", "type": "condition", "params": {"cases": [{"branch": "yes", "when": "input"}]}}
    )

    assert list(template_fields(condition)) == [TemplateField("params.cases[0].when", "input", True)]


def test_every_string_inside_a_json_template_is_a_template() -> None:
    tool = ToolNode.model_validate(
        {
            "id": "t",
            "type": "tool",
            "params": {"url": "https://x.example", "headers": {"X-Key": "K"}, "body": {"a": ["B", 1, None]}},
        }
    )

    assert [(field.path, field.source) for field in template_fields(tool)] == [
        ("params.url", "https://x.example"),
        ('params.headers["X-Key"]', "K"),
        ("params.body.a[0]", "B"),
    ]


def test_an_output_value_string_is_one_template() -> None:
    output = OutputNode.model_validate({"id": "o", "type": "output", "params": {"value": "{{ input }}"}})

    assert list(template_fields(output)) == [TemplateField("params.value", "{{ input }}", False)]
