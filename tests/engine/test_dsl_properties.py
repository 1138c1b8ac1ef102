"""Properties over generated workflows: valid ones always pass, and each kind of fault is caught."""

import copy
import functools
import graphlib
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.graph import validate_definition
from tests.engine.workflows import JsonObject, codes, edge

REQUIRED_PARAM = {
    "llm": "prompt",
    "embedding": "collection",
    "retrieve": "collection",
    "tool": "url",
    "condition": "cases",
    "human": "prompt",
    "template": "template",
    "output": "value",
}
MAIN_TEMPLATE: dict[str, tuple[str | int, ...]] = {
    "llm": ("prompt",),
    "embedding": ("text",),
    "retrieve": ("query",),
    "tool": ("url",),
    "condition": ("cases", 0, "when"),
    "human": ("prompt",),
    "template": ("template",),
    "output": ("value",),
}
NOT_A_NODE = "no such node"
INPUTS_SCHEMA = {"type": "object", "properties": {"topic": {"type": "string"}}}

# Each mutation test also generates its own valid workflows, so together they see many more.
valid_settings = settings(max_examples=100, deadline=None)
property_settings = settings(max_examples=50, deadline=None)

_FIRST = "abcxyzABXYZ_"
node_ids = st.tuples(st.sampled_from(_FIRST), st.text(_FIRST + "0189-", max_size=6)).map("".join)
branch_names = st.sampled_from(["yes", "no", "retry", "hot", "cold", "again"])


def node_ref(node_id: str) -> str:
    """How a template reads a node's output: `nodes.x`, or `nodes["x-y"]` when the id has a hyphen."""
    return f'nodes["{node_id}"].output' if "-" in node_id else f"nodes.{node_id}.output"


@functools.cache
def texts(upstream: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Templates that read only what is in context: the input, run inputs, and upstream nodes."""
    pieces = [
        st.just("Plain words."),
        st.just("{{ input }}"),
        st.just("{{ iteration }}"),
        st.just("{{ inputs.topic }}"),
        st.just("{% set n = 2 %}{{ n * 2 }}"),
    ]
    for node_id in upstream:
        pieces.append(st.just(f"{{{{ {node_ref(node_id)} }}}}"))
        pieces.append(st.just(f"{{% for item in {node_ref(node_id)} %}}{{{{ item }}}}{{% endfor %}}"))
    return st.lists(st.one_of(pieces), min_size=1, max_size=3).map(" ".join)


@functools.cache
def expressions(upstream: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Condition expressions over what is in context."""
    options = ["input.score > 0.5", "iteration < 3", "inputs.topic == 'news'"]
    options += [f"{node_ref(node_id)} == 'yes'" for node_id in upstream]
    return st.sampled_from(options)


def tools() -> st.SearchStrategy[list[JsonObject]]:
    """LLM tools with unique names."""
    retrieve = st.fixed_dictionaries(
        {
            "type": st.just("retrieve"),
            "description": st.just("Finds documents"),
            "collection": st.just("docs"),
        },
        optional={"topK": st.integers(1, 100)},
    )
    http = st.fixed_dictionaries(
        {
            "type": st.just("http"),
            "description": st.just("Looks up"),
            "url": st.just("https://api.example.com"),
        },
        optional={
            "method": st.sampled_from(["GET", "POST"]),
            "headers": st.just({"X-Key": "{{ inputs.topic }}"}),
        },
    )
    return st.lists(st.one_of(retrieve, http), max_size=2).map(
        lambda found: [{**tool, "name": f"tool_{index}"} for index, tool in enumerate(found)]
    )


def _llm(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries(
        {
            "model": st.sampled_from(["test", "test:x", "openai:gpt-4o", "anthropic:c", "ollama:l"]),
            "prompt": text,
        },
        optional={
            "system": text,
            "temperature": st.floats(0, 2),
            "maxTokens": st.integers(1, 4096),
            "outputSchema": st.just({"type": "object", "properties": {"a": {"type": "string"}}}),
            "tools": tools(),
        },
    )


def _embedding(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries(
        {"collection": st.just("docs")}, optional={"text": text, "metadata": text.map(lambda t: {"src": t})}
    )


def _retrieve(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries(
        {"collection": st.just("docs")},
        optional={
            "query": text,
            "topK": st.integers(1, 100),
            "mode": st.sampled_from(["semantic", "hybrid"]),
        },
    )


def _tool(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries(
        {"url": st.sampled_from(["https://api.example.com/post", "https://api.example.com/{{ input }}"])},
        optional={"method": st.sampled_from(["GET", "POST"]), "headers": text.map(lambda t: {"X-A": t})},
    )


def _condition(_text: st.SearchStrategy[str], upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    case = st.tuples(branch_names, expressions(upstream))
    cases = st.lists(case, min_size=1, max_size=3, unique_by=lambda pair: pair[0]).map(
        lambda pairs: [{"branch": branch, "when": when} for branch, when in pairs]
    )
    return st.fixed_dictionaries(
        {"cases": cases}, optional={"default": st.just("otherwise"), "maxIterations": st.integers(1, 1000)}
    )


def _human(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries(
        {"prompt": text}, optional={"schema": st.just({"type": "object"}), "timeoutSeconds": st.just(60.0)}
    )


def _template(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries({"template": text})


def _output(text: st.SearchStrategy[str], _upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    return st.fixed_dictionaries({"value": st.one_of(text, text.map(lambda t: {"answer": t}))})


PARAMS = {
    "llm": _llm,
    "embedding": _embedding,
    "retrieve": _retrieve,
    "tool": _tool,
    "condition": _condition,
    "human": _human,
    "template": _template,
    "output": _output,
}


@functools.cache
def params(kind: str, upstream: tuple[str, ...]) -> st.SearchStrategy[JsonObject]:
    """Valid params of a kind, whose templates read only upstream nodes."""
    return PARAMS[kind](texts(upstream), upstream)


def outputs(raw_node: JsonObject) -> list[str | None]:
    """The branches an edge may leave a node from (None: no branch)."""
    if raw_node["type"] == "condition":
        node_params = raw_node["params"]
        return [case["branch"] for case in node_params["cases"]] + [node_params.get("default", "default")]
    if raw_node["type"] == "human":
        return [None, "submitted", "timeout"]
    return [None]


@st.composite
def valid_workflows(draw: st.DrawFn) -> JsonObject:
    """Valid workflows: DAGs of any kinds, with error edges and loops through condition nodes."""
    ids = draw(st.lists(node_ids, min_size=1, max_size=6, unique=True))
    parents = {i: [j for j in range(i) if draw(st.booleans())] for i in range(len(ids))}
    ancestors: dict[int, set[int]] = {}
    for i in range(len(ids)):
        ancestors[i] = set(parents[i]).union(*(ancestors[j] for j in parents[i]))
    nodes = []
    for i, node_id in enumerate(ids):
        kind = draw(st.sampled_from(list(PARAMS)))
        upstream = tuple(ids[j] for j in sorted(ancestors[i]))
        nodes.append({"id": node_id, "type": kind, "params": draw(params(kind, upstream))})
    edges = [
        edge(ids[j], ids[i], draw(st.sampled_from(outputs(nodes[j])))) for i in parents for j in parents[i]
    ]
    for j, raw_node in enumerate(nodes[:-1]):
        if draw(st.booleans()):
            raw_node["onError"] = "errorEdge"
            edges.append(edge(ids[j], ids[draw(st.integers(j + 1, len(ids) - 1))], "error"))
    for k, raw_node in enumerate(nodes):
        loop_targets = [ids[a] for a in sorted(ancestors[k] | {k}) if parents[a]]
        if raw_node["type"] == "condition" and loop_targets and draw(st.booleans()):
            branch = draw(st.sampled_from(outputs(raw_node)))
            edges.append(edge(ids[k], draw(st.sampled_from(loop_targets)), branch))
    root: JsonObject = {"inputs": INPUTS_SCHEMA} if draw(st.booleans()) else {}
    return {**root, "nodes": nodes, "edges": edges}


def _set(raw_node: JsonObject, path: tuple[str | int, ...], value: Any) -> None:
    target: Any = raw_node["params"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _main_template_path(raw: JsonObject, index: int) -> str:
    steps = "".join(
        f"[{step}]" if isinstance(step, int) else f".{step}" for step in MAIN_TEMPLATE[raw["type"]]
    )
    return f"nodes[{index}].params{steps}"


@valid_settings
@given(valid_workflows())
def test_generated_valid_workflows_are_valid(raw: JsonObject) -> None:
    validation = validate_definition(raw)

    assert validation.problems == ()
    assert validation.graph is not None
    assert list(validation.graph.nodes) == [node["id"] for node in raw["nodes"]]


@valid_settings
@given(valid_workflows())
def test_without_its_back_edges_a_valid_graph_has_no_cycle(raw: JsonObject) -> None:
    graph = validate_definition(raw).graph
    assert graph is not None
    forward = {
        node_id: {e.target for e in edges if (e.source, e.target) not in graph.back_edges}
        for node_id, edges in graph.children.items()
    }

    order = list(graphlib.TopologicalSorter(forward).static_order())

    assert sorted(order) == sorted(graph.nodes)
    assert all(source in graph.ancestors(target) for source, target in graph.back_edges)


@property_settings
@given(valid_workflows(), st.data())
def test_an_edge_to_no_node_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(raw["nodes"]))
    raw["edges"].append(edge(source["id"], NOT_A_NODE, outputs(source)[0]))

    validation = validate_definition(raw)

    assert codes(validation) == {"UNKNOWN_EDGE_TARGET"}
    assert validation.problems[0].path == f"edges[{len(raw['edges']) - 1}].to"


@property_settings
@given(valid_workflows(), st.data())
def test_an_edge_from_no_node_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(raw["nodes"]))
    raw["edges"].append(edge(NOT_A_NODE, target["id"]))

    assert codes(validate_definition(raw)) == {"UNKNOWN_EDGE_SOURCE"}


@property_settings
@given(valid_workflows(), st.data())
def test_a_duplicate_node_id_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    raw["nodes"].append(copy.deepcopy(data.draw(st.sampled_from(raw["nodes"]))))

    validation = validate_definition(raw)

    assert codes(validation) == {"DUPLICATE_NODE_ID"}
    assert validation.problems[0].path == f"nodes[{len(raw['nodes']) - 1}].id"


@property_settings
@given(valid_workflows(), st.data())
def test_a_cycle_without_a_condition_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    plain = {node["id"] for node in raw["nodes"] if node["type"] != "condition"}
    assume(plain)
    plain_edges = [e for e in raw["edges"] if e["from"] in plain and e["to"] in plain]
    if len(plain_edges) > 0 and data.draw(st.booleans()):
        closing = data.draw(st.sampled_from(plain_edges))
        raw["edges"].append(edge(closing["to"], closing["from"]))
    else:
        node_id = data.draw(st.sampled_from(sorted(plain)))
        raw["edges"].append(edge(node_id, node_id))

    found = codes(validate_definition(raw))

    # Closing a cycle at a start node also leaves what only that node led to unreachable.
    assert "CYCLE_WITHOUT_CONDITION" in found
    assert found <= {"CYCLE_WITHOUT_CONDITION", "UNREACHABLE_NODE"}


@property_settings
@given(valid_workflows(), st.data())
def test_an_unknown_node_kind_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(raw["nodes"]) - 1))
    raw["nodes"][index]["type"] = "javascript"

    validation = validate_definition(raw)

    assert codes(validation) == {"UNKNOWN_NODE_KIND"}
    assert validation.problems[0].path == f"nodes[{index}].type"


@property_settings
@given(valid_workflows(), st.data())
def test_a_missing_required_param_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(raw["nodes"]) - 1))
    raw_node = raw["nodes"][index]
    name = REQUIRED_PARAM[raw_node["type"]]
    del raw_node["params"][name]

    validation = validate_definition(raw)

    assert codes(validation) == {"MISSING_FIELD"}
    assert validation.problems[0].path == f"nodes[{index}].params.{name}"
    assert validation.problems[0].node_id == raw_node["id"]


@property_settings
@given(valid_workflows(), st.data())
def test_a_wrongly_typed_param_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(raw["nodes"]) - 1))
    raw_node = raw["nodes"][index]
    name = REQUIRED_PARAM[raw_node["type"]]
    raw_node["params"][name] = 12345

    validation = validate_definition(raw)

    assert codes(validation) == {"INVALID_TYPE"}
    assert validation.problems[0].path == f"nodes[{index}].params.{name}"


@property_settings
@given(valid_workflows(), st.data())
def test_bad_template_syntax_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(raw["nodes"]) - 1))
    raw_node = raw["nodes"][index]
    broken = "input >" if raw_node["type"] == "condition" else "Hello {{ input"
    _set(raw_node, MAIN_TEMPLATE[raw_node["type"]], broken)

    validation = validate_definition(raw)

    assert codes(validation) == {"TEMPLATE_SYNTAX"}
    assert validation.problems[0].path == _main_template_path(raw_node, index)


@property_settings
@given(valid_workflows(), st.data())
def test_reading_a_node_that_is_not_upstream_is_caught(raw: JsonObject, data: st.DataObject) -> None:
    graph = validate_definition(raw).graph
    assert graph is not None
    index = data.draw(st.integers(0, len(raw["nodes"]) - 1))
    raw_node = raw["nodes"][index]
    elsewhere = [node_id for node_id in graph.nodes if node_id not in graph.ancestors(raw_node["id"])]
    assume(elsewhere)  # empty when every node leads here, through a loop
    reference = node_ref(data.draw(st.sampled_from(elsewhere)))
    _set(
        raw_node,
        MAIN_TEMPLATE[raw_node["type"]],
        reference if raw_node["type"] == "condition" else f"{{{{ {reference} }}}}",
    )

    validation = validate_definition(raw)

    assert codes(validation) == {"TEMPLATE_NOT_UPSTREAM"}
    assert validation.problems[0].path == _main_template_path(raw_node, index)
