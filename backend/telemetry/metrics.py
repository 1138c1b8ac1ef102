"""Flowloom's Prometheus metrics, and the `/metrics` endpoint that serves them with Litestar's.

Every process counts what it does itself: an API replica its requests, subscriptions and the runs it
starts; a worker (or the embedded server) the runs, node attempts and commits it executes. Each
process serves its own figures (the API at `/metrics`, a worker at `/metrics` on its health port),
and Prometheus adds them up across the targets it scrapes, so nothing is counted twice. Processes
that share a host may instead share `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multi-process
mode); any of them then serves the sum of all of them.

Label values are bounded: node kinds, statuses, outcomes and model names (the model of a node is
chosen by workflow authors, so at most `MAX_MODEL_LABELS` distinct ones are kept; the rest are
counted as `other`).
"""

from __future__ import annotations

import hmac
import threading
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import Counter, Gauge, Histogram

MAX_MODEL_LABELS = 100

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_NODE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

RUNS_STARTED = Counter("flowloom_runs_started", "Runs created (startRun, triggers).", ["trigger"])
RUNS_FINISHED = Counter("flowloom_runs_finished", "Runs that reached a final status.", ["status"])
RUN_DURATION = Histogram(
    "flowloom_run_duration_seconds",
    "From a run's start to its final status (waiting for people included).",
    ["status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400),
)
NODE_DURATION = Histogram(
    "flowloom_node_duration_seconds",
    "One attempt of a node, by kind and outcome (succeeded, waiting, failed, interrupted).",
    ["kind", "outcome"],
    buckets=_NODE_BUCKETS,
)
NODE_ERRORS = Counter(
    "flowloom_node_errors",
    "Failed node attempts, by kind and whether they may be retried.",
    ["kind", "retryable"],
)
HTTP_TOOL_CALLS = Counter(
    "flowloom_http_tool_calls", "Attempts of HTTP tool nodes, by outcome (succeeded, failed).", ["outcome"]
)
LLM_TOKENS = Counter(
    "flowloom_llm_tokens", "Tokens of model calls, by model and direction.", ["model", "direction"]
)
LLM_COST = Counter("flowloom_llm_cost_usd", "The price of model calls in US dollars, by model.", ["model"])
QUEUE_LATENCY = Histogram(
    "flowloom_queue_latency_seconds",
    "From a run's creation to the start of its first execution.",
    buckets=_LATENCY_BUCKETS,
)
QUEUE_DEPTH = Gauge(
    "flowloom_queue_depth",
    "Runs waiting to execute (PENDING), as the last reconciler pass of this process counted them.",
    multiprocess_mode="mostrecent",
)
COMMIT_BATCH = Histogram(
    "flowloom_commit_batch_size",
    "Transitions written per group commit.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
COMMIT_LATENCY = Histogram(
    "flowloom_commit_seconds", "How long one group commit took in PostgreSQL.", buckets=_LATENCY_BUCKETS
)
WEBSOCKETS_OPEN = Gauge("flowloom_websockets_open", "Open GraphQL websockets.", multiprocess_mode="livesum")
SUBSCRIPTIONS_ACTIVE = Gauge(
    "flowloom_subscriptions_active", "Running GraphQL subscriptions.", multiprocess_mode="livesum"
)
EVENT_DELIVERY = Histogram(
    "flowloom_event_delivery_seconds",
    "From a run event's time to its delivery to a live subscriber.",
    buckets=_LATENCY_BUCKETS,
)
ERRORS = Counter("flowloom_errors", "Errors by kind (GraphQL errors, unexpected failures).", ["kind"])

_models: set[str] = set()
_models_lock = threading.Lock()


def model_label(model: str) -> str:
    """The label of a model: itself, or `other` once MAX_MODEL_LABELS distinct models were seen."""
    with _models_lock:
        if model in _models:
            return model
        if len(_models) < MAX_MODEL_LABELS:
            _models.add(model)
            return model
    return "other"


def prometheus_config() -> PrometheusConfig:
    """Litestar's request metrics (`flowloom_requests_total`, `flowloom_request_duration_seconds`, …),
    by route template rather than path, leaving out the scrape itself and the health probes."""
    return PrometheusConfig(
        app_name="flowloom",
        prefix="flowloom",
        group_path=True,
        exclude=["^/metrics", "^/healthz", "^/readyz"],
    )


def metrics_controller(token: str | None) -> type[PrometheusController]:
    """The `/metrics` endpoint; with a token, only `Authorization: Bearer <token>` may read it."""
    expected = f"Bearer {token}".encode() if token else None

    def bearer(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if expected is None:
            return
        given = connection.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException("the metrics need the bearer token set by FLOWLOOM_METRICS_TOKEN")

    class MetricsController(PrometheusController):
        """Prometheus' text format of this process's metrics (or of every process sharing
        PROMETHEUS_MULTIPROC_DIR)."""

        guards = [bearer]  # noqa: RUF012 - Litestar reads the class attribute
        include_in_schema = False

    return MetricsController
