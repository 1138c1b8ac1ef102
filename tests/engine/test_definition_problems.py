"""Problems with the fields of a definition: each has a stable code, a JSON path and its node."""

import pytest

from engine.dsl import MAX_DEFINITION_BYTES, MAX_DEFINITION_DEPTH
from engine.graph import Problem, validate_definition
from tests.engine.workflows import (
    codes,
    condition,
    edge,
    llm,
    located,
    node,
    only_problem,
    seed,
    template,
    workflow,
)


@pytest.mark.parametrize("raw", [None, [], "nodes", 3])
def test_a_definition_that_is_not_an_object_is_an_invalid_definition(raw: object) -> None:
    validation = validate_definition(raw)

    assert only_problem(validation) == Problem(
        "INVALID_DEFINITION", "A workflow definition must be a JSON object", None, None
    )
    assert validation.definition is None
    assert validation.graph is None


def test_a_definition_holding_no_json_value_is_an_invalid_definition() -> None:
    raw = workflow(llm("a", temperature=float("nan")))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_DEFINITION", "nodes[0].params.temperature", None)
    assert (
        problem.message == "The definition at nodes[0].params.temperature is nan, which JSON cannot represent"
    )


def test_text_postgresql_cannot_store_is_refused_where_it_is() -> None:
    nul = only_problem(validate_definition(workflow({**template("a"), "label": "x\x00y"})))
    surrogate = only_problem(validate_definition(workflow(template("a", "{{ input }} \udc80"))))
    key = only_problem(
        validate_definition({**workflow(template("a")), "inputs": {"properties": {"k\x00": {}}}})
    )

    assert located(nul) == ("UNSTORABLE_TEXT", "nodes[0].label", None)
    assert (
        nul.message
        == "The definition at nodes[0].label contains a NUL character (U+0000), which cannot be stored"
    )
    assert located(surrogate) == ("UNSTORABLE_TEXT", "nodes[0].params.template", None)
    assert located(key) == ("UNSTORABLE_TEXT", "inputs.properties", None)
    assert key.message.endswith("has a key that contains a NUL character (U+0000), which cannot be stored")


def test_a_definition_nested_past_the_limit_is_refused() -> None:
    body: object = "leaf"
    for _ in range(MAX_DEFINITION_DEPTH):
        body = [body]
    raw = workflow(node("call", "tool", url="https://example.com", method="POST", body=body))

    problem = only_problem(validate_definition(raw))

    assert problem.code == "DEFINITION_TOO_DEEP"
    assert problem.path is not None
    assert problem.path.startswith("nodes[0].params.body[0][0]")


def test_a_definition_larger_than_the_limit_is_refused_before_it_is_read() -> None:
    raw = workflow(template("a", "x" * MAX_DEFINITION_BYTES))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("DEFINITION_TOO_LARGE", None, None)


def test_a_missing_param_is_a_missing_field_at_its_path() -> None:
    raw = workflow(node("summarize", "llm", model="test"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "MISSING_FIELD",
        "nodes[0].params.prompt",
        "summarize",
    )
    assert "prompt" in problem.message


def test_missing_nodes_is_a_missing_field() -> None:
    problem = only_problem(validate_definition({"edges": []}))

    assert located(problem) == ("MISSING_FIELD", "nodes", None)


def test_an_unknown_param_is_an_unknown_field_named_by_its_json_name() -> None:
    raw = workflow(llm("a", maxToken=5))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_FIELD", "nodes[0].params.maxToken", "a")


def test_an_unknown_top_level_field_is_an_unknown_field() -> None:
    problem = only_problem(validate_definition({**seed(), "author": "me"}))

    assert located(problem) == ("UNKNOWN_FIELD", "author", None)


def test_a_param_of_the_wrong_type_is_an_invalid_type_at_its_camel_case_path() -> None:
    raw = workflow(llm("a", maxTokens="100"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_TYPE", "nodes[0].params.maxTokens", "a")


def test_a_value_of_a_union_with_no_matching_member_is_one_invalid_type() -> None:
    raw = workflow(node("out", "output", value=42))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_TYPE", "nodes[0].params.value", "out")


def test_an_out_of_range_param_is_an_invalid_value() -> None:
    raw = workflow(llm("a", temperature=2.5))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_VALUE", "nodes[0].params.temperature", "a")


def test_a_node_id_that_templates_cannot_name_is_an_invalid_value() -> None:
    raw = workflow(template("my node"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_VALUE", "nodes[0].id", "my node")


def test_an_unknown_type_is_an_unknown_node_kind_listing_the_kinds() -> None:
    raw = workflow(node("a", "javascript", code="1"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_NODE_KIND", "nodes[0].type", "a")
    assert "javascript" in problem.message
    assert "llm" in problem.message


def test_a_node_without_type_is_a_missing_node_kind() -> None:
    raw = workflow({"id": "a", "params": {}})

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("MISSING_NODE_KIND", "nodes[0].type", "a")


def test_a_node_that_is_not_an_object_is_an_invalid_type() -> None:
    problem = only_problem(validate_definition({"nodes": ["llm"]}))

    assert located(problem) == ("INVALID_TYPE", "nodes[0]", None)


def test_two_cases_with_one_branch_are_a_duplicate_branch() -> None:
    raw = workflow(
        node("route", "condition", cases=[{"branch": "a", "when": "x"}, {"branch": "a", "when": "y"}])
    )

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("DUPLICATE_BRANCH", "nodes[0].params.cases", "route")


def test_a_case_on_the_error_branch_is_a_reserved_branch() -> None:
    raw = workflow(node("route", "condition", cases=[{"branch": "error", "when": "input"}]))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "RESERVED_BRANCH",
        "nodes[0].params.cases[0].branch",
        "route",
    )


def test_a_default_on_the_error_branch_is_a_reserved_branch() -> None:
    raw = workflow(condition("route", "yes", default="error"))

    problem = only_problem(validate_definition(raw))

    assert (problem.code, problem.path) == ("RESERVED_BRANCH", "nodes[0].params.default")


def test_two_tools_with_one_name_are_a_duplicate_tool_name() -> None:
    tool = {"type": "retrieve", "name": "search", "description": "Finds documents", "collection": "docs"}
    raw = workflow(llm("agent", tools=[tool, {**tool, "collection": "faq"}]))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "DUPLICATE_TOOL_NAME",
        "nodes[0].params.tools",
        "agent",
    )


def test_a_tool_of_unknown_type_is_an_invalid_value_not_an_unknown_node_kind() -> None:
    raw = workflow(llm("agent", tools=[{"type": "shell", "name": "sh", "description": "Runs commands"}]))

    problem = only_problem(validate_definition(raw))

    assert (problem.code, problem.path) == ("INVALID_VALUE", "nodes[0].params.tools[0].type")


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (workflow(llm("a", outputSchema={"type": "strin"})), "nodes[0].params.outputSchema"),
        (
            workflow(node("a", "human", prompt="Approve?", schema={"required": "name"})),
            "nodes[0].params.schema",
        ),
        ({**seed(), "inputs": {"type": 3}}, "inputs"),
    ],
)
def test_a_schema_that_is_no_json_schema_is_an_invalid_json_schema(raw: dict[str, object], path: str) -> None:
    problem = only_problem(validate_definition(raw))

    assert (problem.code, problem.path) == ("INVALID_JSON_SCHEMA", path)


def test_a_schema_nested_too_deeply_to_check_is_refused_before_it_is_checked() -> None:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(120):
        schema = {"type": "object", "properties": {"a": schema}}

    problem = only_problem(validate_definition({**seed(), "inputs": schema}))

    assert problem.code == "DEFINITION_TOO_DEEP"
    assert problem.path is not None
    assert problem.path.startswith("inputs.properties.a.properties.a")


@pytest.mark.parametrize("url", ["api.example.com/post", "ftp://example.com/file", "https://", "/relative"])
def test_a_literal_url_that_is_not_absolute_http_is_an_invalid_url(url: str) -> None:
    raw = workflow(node("call", "tool", url=url))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("INVALID_URL", "nodes[0].params.url", "call")


def test_a_templated_url_is_checked_when_it_is_rendered_not_before() -> None:
    raw = workflow(node("call", "tool", url="{{ inputs.endpoint }}/items"))

    assert validate_definition(raw).valid


@pytest.mark.parametrize("model", ["gpt-4", "openrouter:gpt-4", "testing"])
def test_a_model_of_no_known_provider_is_an_unknown_model_provider(model: str) -> None:
    raw = workflow(node("a", "llm", model=model, prompt="Hi"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_MODEL_PROVIDER", "nodes[0].params.model", "a")


@pytest.mark.parametrize(
    "model",
    ["test", "test:anything", "openai:gpt-4o", "openai-chat:qwen", "anthropic:claude", "ollama:llama3"],
)
def test_models_of_every_provider_are_accepted(model: str) -> None:
    assert validate_definition(workflow(node("a", "llm", model=model, prompt="Hi"))).valid


def test_every_fault_of_a_definition_is_listed_at_once() -> None:
    raw = {
        "nodes": [
            llm("a", temperature="hot"),
            node("b", "javascript"),
            template("a", "{{ nodes.c.output }"),
            condition("c", "yes"),
        ],
        "edges": [edge("a", "ghost"), edge("c", "b"), edge("a", "c")],
        "owner": "me",
    }

    validation = validate_definition(raw)

    assert codes(validation) == {
        "UNKNOWN_FIELD",
        "INVALID_TYPE",
        "UNKNOWN_NODE_KIND",
        "DUPLICATE_NODE_ID",
        "UNKNOWN_EDGE_TARGET",
        "MISSING_BRANCH",
        "TEMPLATE_SYNTAX",
    }
    assert not validation.valid
    assert validation.definition is None
