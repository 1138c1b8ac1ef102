"""The seed design's workflow is valid input, forever."""

from engine.dsl import EmbeddingNode, LlmNode, ToolNode, WorkflowDefinition
from engine.graph import validate_definition
from tests.engine.workflows import seed


def test_seed_workflow_is_valid() -> None:
    validation = validate_definition(seed())

    assert validation.valid
    assert validation.problems == ()


def test_seed_workflow_starts_at_its_first_node() -> None:
    graph = validate_definition(seed()).graph

    assert graph is not None
    assert graph.roots == ("n1",)
    assert graph.leaves == ("n3",)


def test_seed_workflow_parses_into_one_model_per_kind() -> None:
    definition = validate_definition(seed()).definition

    assert definition is not None
    llm, embedding, tool = definition.nodes
    assert isinstance(llm, LlmNode)
    assert llm.params.prompt == "请总结以下文本: {{input}}"
    assert isinstance(embedding, EmbeddingNode)
    assert embedding.params.text == "{{input}}"
    assert isinstance(tool, ToolNode)
    assert tool.params.method == "POST"


def test_seed_workflow_round_trips_through_json() -> None:
    definition = WorkflowDefinition.model_validate(seed())

    dumped = definition.model_dump(mode="json", exclude_unset=True)

    assert dumped == seed()
