"""A workflow answers from a collection: the retrieve node and the llm node's search tool use the
same search as GraphQL `search`, on the offline embedder."""

from __future__ import annotations

import json

from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.support import add_texts, documents_when_done, new_collection
from tests.backend.runs_support import node, run_to_end

HANDBOOK = [
    {
        "name": "leave.md",
        "text": "# Holidays\n\nEvery employee gets twenty-five days of paid vacation a year.",
    },
    {
        "name": "expenses.md",
        "text": "# Expenses\n\nReceipts for travel costs must be filed within thirty days.",
    },
    {"name": "it.md", "text": "# Laptops\n\nA broken laptop is replaced by the IT desk on the same day."},
]


def rag_workflow() -> dict[str, object]:
    """retrieve → llm (with a search tool over the same collection) → output."""
    return {
        "nodes": [
            {
                "id": "find",
                "type": "retrieve",
                "params": {"collection": "handbook", "query": "{{ inputs.question }}", "topK": 1},
            },
            {
                "id": "answer",
                "type": "llm",
                "params": {
                    "model": "test",
                    "prompt": "Answer from the handbook: {{ input.hits[0].text }}\n"
                    "Question: {{ inputs.question }}",
                    "tools": [
                        {
                            "type": "retrieve",
                            "name": "search_handbook",
                            "description": "Searches the staff handbook.",
                            "collection": "handbook",
                            "topK": 1,
                            "mode": "hybrid",
                        }
                    ],
                },
            },
            {"id": "out", "type": "output", "params": {"value": {"answer": "{{ nodes.answer.output }}"}}},
        ],
        "edges": [{"from": "find", "to": "answer"}, {"from": "answer", "to": "out"}],
    }


async def test_a_workflow_retrieves_by_meaning_and_its_llm_answers_from_the_chunk(gql: GraphQLClient) -> None:
    collection = await new_collection(gql, "handbook")
    await add_texts(gql, collection["id"], *HANDBOOK)
    await documents_when_done(gql, collection["id"])

    run = await run_to_end(gql, rag_workflow(), {"question": "how many days off do I get"})

    assert run["status"] == "SUCCEEDED", run
    [hit] = node(run, "find")["output"]["hits"]
    assert "paid vacation" in hit["text"]
    # the llm node gets the chunk as its input (its prompt renders it) ...
    assert node(run, "answer")["input"] == {"hits": [hit]}
    # ... and the test model, which calls every tool once (its query is "a") and answers with what
    # the tools returned, got a chunk of the handbook from its search tool
    answer = json.loads(run["output"]["answer"])
    [found] = answer["search_handbook"]
    assert found["text"] in {document["text"] for document in HANDBOOK}
