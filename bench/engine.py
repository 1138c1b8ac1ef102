"""Scheduler overhead: runs per second and microseconds per node on trivial nodes.

Every node appends its own name, padded to 16 characters, to a list of strings (the run inputs are
`["input"]`; a join concatenates its parents' lists in parent order) and does nothing else, so what
is measured is the engine: scheduling, records, transitions, the store and the event sink.

Workloads: `chain10` (n01 → … → n10), `fanout8` (start → p1…p8 → join), and `hitl` (before →
approve, a human node → after: "pause" is execute until WAITING, "resume" is submit + execute until
SUCCEEDED). Each at concurrency 1 and 8 (runs in flight on one event loop), median of repetitions.
Prints one JSON object:

    python -m bench.engine [--quick] [--json FILE] [--mode memory] [--loop uvloop|asyncio]

`memory_metrics` and `memory_traced` are the in-memory engine with Flowloom's telemetry port: metrics
only (a process without OTEL_* variables) and metrics plus a span per node attempt (the SDK's batch
processor, spans discarded instead of exported); `telemetry_overhead_us_per_node` is what each adds
to a node attempt over the engine without telemetry.

Modes are harness factories in `MODES`; another store (PostgreSQL) is one more entry there.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from pydantic import JsonValue

from backend.cli import settle_gc
from backend.telemetry.attempts import ProcessTelemetry
from bench.postgres_harness import postgres_harness as postgres_engine
from bench.report import emit
from engine.dsl import TemplateNode
from engine.execution import Accepted, Engine
from engine.graph import CompiledGraph, validate_definition
from engine.nodes.base import NodeContext, NodeResult
from engine.nodes.registry import EXECUTORS
from engine.ports import RunStore
from engine.records import RunRecord, RunStatus
from engine.testing import DiscardingEventSink, InMemoryRunStore, memory_services, pending_run

PAD = 16
R = TypeVar("R")


async def append_name(spec: TemplateNode, context: NodeContext) -> NodeResult:
    """The benchmark's node: the input list (parents' lists joined, in parent order) plus its name."""
    value = context.input
    if isinstance(value, dict):
        items = [item for parent in value.values() if isinstance(parent, list) for item in parent]
    else:
        items = list(value) if isinstance(value, list) else []
    return NodeResult(output=[*items, spec.id.ljust(PAD)])


BENCH_EXECUTORS = {**EXECUTORS, "template": append_name}


def _template(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "type": "template", "params": {"template": "{{ input }}"}}


def _graph(nodes: list[dict[str, Any]], edges: list[tuple[str, str]]) -> CompiledGraph:
    validation = validate_definition({"nodes": nodes, "edges": [{"from": a, "to": b} for a, b in edges]})
    assert validation.graph is not None, validation.problems
    return validation.graph


def chain10() -> CompiledGraph:
    """n01 → n02 → … → n10."""
    ids = [f"n{index:02d}" for index in range(1, 11)]
    return _graph([_template(node_id) for node_id in ids], list(itertools.pairwise(ids)))


def fanout8() -> CompiledGraph:
    """start → p1…p8 (in parallel) → join."""
    branches = [f"p{index}" for index in range(1, 9)]
    nodes = [_template("start"), *(_template(node_id) for node_id in branches), _template("join")]
    edges = [("start", node_id) for node_id in branches] + [(node_id, "join") for node_id in branches]
    return _graph(nodes, edges)


def hitl() -> CompiledGraph:
    """before → approve (human) → after."""
    approve = {"id": "approve", "type": "human", "params": {"prompt": "Approve {{ input }}?"}}
    return _graph(
        [_template("before"), approve, _template("after")], [("before", "approve"), ("approve", "after")]
    )


@dataclass
class Harness:
    """An engine on one kind of store, and how to make runs it can execute."""

    engine: Engine
    store: RunStore
    new_run: Callable[[JsonValue], RunRecord] = pending_run


@asynccontextmanager
async def memory_harness() -> AsyncIterator[Harness]:
    """The engine on the in-memory ports."""
    store = InMemoryRunStore()
    engine = Engine(
        store=store, events=DiscardingEventSink(), services=memory_services(), executors=BENCH_EXECUTORS
    )
    yield Harness(engine, store)


HarnessFactory = Callable[[], AbstractAsyncContextManager[Harness]]
"""Makes a harness for one repetition (a PostgreSQL one may share a server between them)."""


@asynccontextmanager
async def postgres_harness() -> AsyncIterator[Harness]:
    """The engine on PostgresRunStore: every node run and persisted event committed (group commit)."""
    async with postgres_engine(BENCH_EXECUTORS) as (engine, store, new_run):
        yield Harness(engine, store, new_run)


class _DiscardingExporter(SpanExporter):
    """Takes every span and sends it nowhere: the cost measured is making and batching spans."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _telemetry_harness(*, traced: bool) -> HarnessFactory:
    """The in-memory engine with Flowloom's telemetry: metrics only (what a process does with no
    OTEL_* variable set), or metrics and a span per node attempt through the SDK's batch processor."""

    @asynccontextmanager
    async def harness() -> AsyncIterator[Harness]:
        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(_DiscardingExporter()))
        telemetry = ProcessTelemetry(provider.get_tracer("bench") if traced else None)
        store = InMemoryRunStore()
        engine = Engine(
            store=store,
            events=DiscardingEventSink(),
            services=memory_services(telemetry=telemetry),
            executors=BENCH_EXECUTORS,
        )
        try:
            yield Harness(engine, store)
        finally:
            provider.shutdown()

    return harness


MODES: dict[str, HarnessFactory] = {
    "memory": memory_harness,
    "memory_metrics": _telemetry_harness(traced=False),
    "memory_traced": _telemetry_harness(traced=True),
    "postgres": postgres_harness,
}
"""Harness factory per mode."""

INPUTS: JsonValue = ["input"]


async def _runs(harness: Harness, count: int) -> list[RunRecord]:
    runs = [harness.new_run(INPUTS) for _ in range(count)]
    for run in runs:
        await harness.store.create(run)
    return runs


async def throughput(harness: Harness, graph: CompiledGraph, runs: int, concurrency: int) -> float:
    """Seconds to execute `runs` fresh runs of `graph` with `concurrency` of them in flight."""
    records = await _runs(harness, runs)
    pending = iter(records)

    async def worker() -> None:
        for run in pending:
            status = await harness.engine.execute(run.id, graph)
            assert status is RunStatus.SUCCEEDED, status

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)
    return time.perf_counter() - started


async def pause_resume(harness: Harness, graph: CompiledGraph, runs: int) -> tuple[list[float], list[float]]:
    """Per run: seconds to reach WAITING, and seconds for submit + execute to reach SUCCEEDED."""
    pauses: list[float] = []
    resumes: list[float] = []
    for run in await _runs(harness, runs):
        started = time.perf_counter()
        assert await harness.engine.execute(run.id, graph) is RunStatus.WAITING
        paused = time.perf_counter()
        outcome = await harness.engine.submit(run.id, "approve", {"ok": True}, graph)
        assert isinstance(outcome, Accepted), outcome
        assert await harness.engine.execute(run.id, graph) is RunStatus.SUCCEEDED
        pauses.append(paused - started)
        resumes.append(time.perf_counter() - paused)
    return pauses, resumes


async def _fresh(
    factory: HarnessFactory, repetitions: int, trial: Callable[[Harness], Awaitable[R]]
) -> list[R]:
    # A fresh harness per repetition, on a collected heap: one repetition's stored history and
    # garbage must not be paid for by the next. The first repetition is a warm-up.
    results: list[R] = []
    for _ in range(repetitions + 1):
        async with factory() as harness:
            gc.collect()
            results.append(await trial(harness))
    return results[1:]


async def measure(mode: str, *, runs: int, repetitions: int) -> dict[str, Any]:
    """Every workload in one mode: medians over `repetitions`."""
    factory = MODES[mode]
    results: dict[str, Any] = {}
    for name, graph in (("chain10", chain10()), ("fanout8", fanout8())):
        nodes = len(graph.nodes)
        by_concurrency: dict[str, dict[str, float]] = {}
        for concurrency in (1, 8):
            trial = functools.partial(throughput, graph=graph, runs=runs, concurrency=concurrency)
            seconds = statistics.median(await _fresh(factory, repetitions, trial))
            by_concurrency[str(concurrency)] = {
                "runs_per_s": round(runs / seconds, 1),
                "us_per_node": round(seconds / (runs * nodes) * 1e6, 2),
            }
        results[name] = {mode: by_concurrency}
    graph = hitl()
    timings = await _fresh(factory, repetitions, functools.partial(pause_resume, graph=graph, runs=runs))
    pauses = [pause for paused, _ in timings for pause in paused]
    resumes = [resume for _, resumed in timings for resume in resumed]
    results["hitl"] = {
        mode: {
            "pause_p50_ms": round(statistics.median(pauses) * 1e3, 4),
            "resume_p50_ms": round(statistics.median(resumes) * 1e3, 4),
        }
    }
    return results


def main() -> None:
    """Parse the arguments, measure, print (and optionally save) the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs: well under a minute")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("--mode", choices=sorted(MODES), action="append", help="default: every mode")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    arguments = parser.parse_args()
    runs, repetitions = (300, 5) if arguments.quick else (2000, 7)
    settle_gc()  # the collector as `flowloom serve`, where runs execute, sets it
    result: dict[str, Any] = {"engine": "flowloom"}
    for mode in arguments.mode or sorted(MODES):
        measured = anyio.run(
            functools.partial(measure, mode, runs=runs, repetitions=repetitions),
            backend_options={"use_uvloop": arguments.loop == "uvloop"},
        )
        for workload, by_mode in measured.items():
            result.setdefault(workload, {}).update(by_mode)
    result["telemetry_overhead_us_per_node"] = _overhead(result)
    emit(result, arguments.json)


def _overhead(result: dict[str, Any]) -> dict[str, float]:
    """Microseconds each node attempt gains with metrics, and with metrics and a span, over none
    (chain10 and fanout8 at concurrency 1 and 8, where all three memory modes were measured)."""
    overhead: dict[str, float] = {}
    for workload in ("chain10", "fanout8"):
        by_mode = result.get(workload, {})
        if "memory" not in by_mode:
            continue
        for concurrency in ("1", "8"):
            base = by_mode["memory"][concurrency]["us_per_node"]
            for mode in ("memory_metrics", "memory_traced"):
                if mode in by_mode:
                    key = f"{workload}_c{concurrency}_{mode.removeprefix('memory_')}"
                    overhead[key] = round(by_mode[mode][concurrency]["us_per_node"] - base, 2)
    return overhead


if __name__ == "__main__":
    main()
