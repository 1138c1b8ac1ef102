"""Prometheus metrics at /metrics: every process serves what it did itself, so Prometheus adds them
up without counting anything twice; processes sharing PROMETHEUS_MULTIPROC_DIR serve their sum; a
bearer token can guard the endpoint. Real API and worker processes (`tests.cluster`), parsed with
prometheus_client's own parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.backend.test_workers import db_rows, wait_for, workflow
from tests.cluster import Cluster, call
from tests.processes import Server
from tests.servers.counting import CountingServer

TOKEN = "scrape-secret"
RUNS = 3


async def get_metrics(url: str, authorization: str | None = None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"{url}/metrics", headers=headers)


async def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of `url`/metrics, by name and sorted labels."""
    response = await get_metrics(url, f"Bearer {TOKEN}")
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """One sample's value; 0 when the process never touched it (a labelled series appears on first use)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def definition(counting: CountingServer) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "call", "type": "tool", "params": {"url": f"{counting.url}/metrics-target"}},
            {"id": "say", "type": "template", "params": {"template": "done"}},
        ],
        "edges": [{"from": "call", "to": "say"}],
    }


async def run_some(cluster: Cluster, counting: CountingServer, api: Server) -> None:
    tenant = await cluster.tenant()
    workflow_id = await workflow(cluster, tenant, definition(counting))
    for _ in range(RUNS):
        await call(api, tenant.token, "StartRun", workflowId=workflow_id)

    async def finished() -> bool:
        rows = await db_rows(cluster, "SELECT count(*) AS n FROM runs WHERE status = 'SUCCEEDED'")
        return bool(rows[0]["n"] == RUNS)

    await wait_for(finished)


async def test_each_process_serves_what_it_did_and_the_counts_follow_the_runs(
    cluster: Cluster, counting: CountingServer
) -> None:
    cluster.env["FLOWLOOM_METRICS_TOKEN"] = TOKEN
    api = cluster.serve()
    worker = cluster.worker()
    for url in (api.url, worker.url):
        assert (await get_metrics(url)).status_code == 401
        assert (await get_metrics(url, "Bearer nope")).status_code == 401

    await run_some(cluster, counting, api)

    at_api, at_worker = await scrape(api.url), await scrape(worker.url)
    # the API started the runs and executed nothing; the worker executed them all
    assert value(at_api, "flowloom_runs_started_total", trigger="api") == RUNS
    assert value(at_api, "flowloom_runs_finished_total", status="SUCCEEDED") == 0
    assert value(at_worker, "flowloom_runs_finished_total", status="SUCCEEDED") == RUNS
    assert value(at_worker, "flowloom_run_duration_seconds_count", status="SUCCEEDED") == RUNS
    assert value(at_worker, "flowloom_queue_latency_seconds_count") == RUNS
    assert value(at_worker, "flowloom_node_duration_seconds_count", kind="tool", outcome="succeeded") == RUNS
    assert (
        value(at_worker, "flowloom_node_duration_seconds_count", kind="template", outcome="succeeded") == RUNS
    )
    assert value(at_worker, "flowloom_http_tool_calls_total", outcome="succeeded") == RUNS
    assert value(at_worker, "flowloom_commit_batch_size_count") >= 1
    assert value(at_worker, "flowloom_commit_seconds_count") == value(
        at_worker, "flowloom_commit_batch_size_count"
    )
    # Litestar's request metrics, by route template
    graphql_posts = [
        count
        for (name, labels), count in at_api.items()
        if name == "flowloom_requests_total"
        and ("path", "/graphql") in labels
        and ("method", "POST") in labels
    ]
    assert sum(graphql_posts) >= RUNS + 1


async def test_processes_sharing_a_multiprocess_directory_serve_their_sum(
    cluster: Cluster, counting: CountingServer, tmp_path: Path
) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    cluster.env["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    cluster.env["FLOWLOOM_METRICS_TOKEN"] = TOKEN
    api = cluster.serve()
    cluster.worker()

    await run_some(cluster, counting, api)

    at_api = await scrape(api.url)
    assert value(at_api, "flowloom_runs_started_total", trigger="api") == RUNS
    assert value(at_api, "flowloom_runs_finished_total", status="SUCCEEDED") == RUNS
    assert value(at_api, "flowloom_node_duration_seconds_count", kind="tool", outcome="succeeded") == RUNS
