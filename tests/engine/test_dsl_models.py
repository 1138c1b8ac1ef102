"""The workflow language's models: JSON names, defaults, strictness."""

import pytest
from pydantic import ValidationError

from engine.dsl import (
    ConditionNode,
    Edge,
    EmbeddingParams,
    HumanParams,
    LlmParams,
    RetrieveParams,
    RetryPolicy,
    ToolParams,
    WorkflowDefinition,
)
from tests.engine.workflows import seed


def test_edges_are_written_from_and_to() -> None:
    edge = Edge.model_validate({"from": "a", "to": "b", "branch": "yes"})

    assert (edge.source, edge.target, edge.branch) == ("a", "b", "yes")
    assert edge.model_dump() == {"from": "a", "to": "b", "branch": "yes"}


def test_python_names_are_accepted_too() -> None:
    assert Edge(source="a", target="b").target == "b"
    assert LlmParams.model_validate({"model": "test", "prompt": "p", "max_tokens": 5}).max_tokens == 5


def test_values_are_not_coerced() -> None:
    with pytest.raises(ValidationError):
        LlmParams.model_validate({"model": "test", "prompt": "p", "maxTokens": "5"})


def test_integers_are_accepted_where_numbers_are_expected() -> None:
    assert LlmParams.model_validate({"model": "test", "prompt": "p", "temperature": 1}).temperature == 1.0


def test_parsed_definitions_cannot_be_modified() -> None:
    definition = WorkflowDefinition.model_validate(seed())

    with pytest.raises(ValidationError):
        definition.nodes[0].id = "other"  # type: ignore[misc]  # writing a frozen field is the point


def test_params_defaults_follow_the_design() -> None:
    embedding = EmbeddingParams.model_validate({"collection": "docs"})
    retrieve = RetrieveParams.model_validate({"collection": "docs"})
    tool = ToolParams.model_validate({"url": "https://x.example"})
    human = HumanParams.model_validate({"prompt": "Approve?"})

    assert (embedding.store, embedding.text, embedding.metadata, embedding.model) == (
        "pgvector",
        "{{input}}",
        {},
        None,
    )
    assert (retrieve.query, retrieve.top_k, retrieve.filter, retrieve.mode) == (
        "{{input}}",
        5,
        None,
        "semantic",
    )
    assert (tool.method, tool.headers, tool.body, tool.timeout_seconds) == ("GET", {}, None, 30.0)
    assert human.input_schema == {"type": "object"}


def test_a_node_retries_nothing_and_fails_the_run_by_default() -> None:
    node = ConditionNode.model_validate(
        {"id": "c", "type": "condition", "params": {"cases": [{"branch": "yes", "when": "input"}]}}
    )

    assert (node.retry, node.on_error, node.timeout_seconds) == (None, "fail", None)
    assert (node.params.default, node.params.max_iterations) == ("default", 10)
    assert RetryPolicy().max_attempts == 1


def test_a_condition_branches_are_its_cases_then_its_default() -> None:
    node = ConditionNode.model_validate(
        {
            "id": "c",
            "type": "condition",
            "params": {
                "cases": [{"branch": "hot", "when": "x"}, {"branch": "cold", "when": "y"}],
                "default": "mild",
            },
        }
    )

    assert node.branches() == ("hot", "cold", "mild")


@pytest.mark.parametrize(
    "retry",
    [{"maxAttempts": 0}, {"maxAttempts": 11}, {"backoffSeconds": -1}, {"backoffMultiplier": 0.5}],
)
def test_retry_policies_out_of_range_are_refused(retry: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate(retry)


def test_a_definition_needs_no_edges() -> None:
    definition = WorkflowDefinition.model_validate({"nodes": [seed()["nodes"][0]]})

    assert definition.edges == []
