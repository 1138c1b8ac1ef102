"""Flowloom's settings, read once from the environment by the composition root."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from backend.telemetry.environment import tracing_requested
from engine.limits import RunLimits
from engine.pricing import ModelPrice, PriceTable, parse_prices

DEFAULT_WORKSPACE_SLUG = "default"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _flag(value: str | None) -> bool | None:
    """A yes/no variable; None when unset or empty (the setting's default applies)."""
    if value is None or not value.strip():
        return None
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _model_prices(value: str | None) -> dict[str, ModelPrice]:
    """`FLOWLOOM_MODEL_PRICES`: a JSON object of model → price (see `engine.pricing.parse_prices`)."""
    if value is None or not value.strip():
        return {}
    try:
        return parse_prices(json.loads(value))
    except ValueError as error:  # json.JSONDecodeError is one
        raise ValueError(f"FLOWLOOM_MODEL_PRICES: {error}") from error


def _source_web_dir() -> Path | None:
    """`frontend/dist` of the source checkout this code runs from; None for an installed package."""
    root = Path(__file__).resolve().parent.parent
    return root / "frontend" / "dist" if (root / "pyproject.toml").is_file() else None


@dataclass(frozen=True)
class OidcProviderSettings:
    """One OpenID Connect provider people may sign in with (`FLOWLOOM_OIDC_<ID>_*`)."""

    id: str
    """Short name in URLs (`/auth/oidc/<id>/login`), lower case."""
    name: str
    """What the sign-in button says."""
    issuer: str
    """Issuer URL; its `/.well-known/openid-configuration` is read for the endpoints and JWKS."""
    client_id: str
    client_secret: str | None = None
    """None for a public client (PKCE alone)."""
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    allowed_domains: tuple[str, ...] = ()
    """Email domains allowed to sign in; empty allows any."""
    jit_workspace: str | None = None
    """Slug of the workspace new users join on first sign-in; None: invite-only."""
    jit_role: str = "viewer"
    """Role of users provisioned just in time."""

    @classmethod
    def from_env(cls, provider_id: str, env: Mapping[str, str]) -> OidcProviderSettings:
        """Read `FLOWLOOM_OIDC_<ID>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_SCOPES`, `_NAME`,
        `_ALLOWED_DOMAINS`, `_JIT_WORKSPACE` and `_JIT_ROLE`."""
        prefix = f"FLOWLOOM_OIDC_{provider_id.upper()}_"
        issuer = env.get(prefix + "ISSUER")
        client_id = env.get(prefix + "CLIENT_ID")
        if not issuer or not client_id:
            raise ValueError(f"OIDC provider {provider_id!r} needs {prefix}ISSUER and {prefix}CLIENT_ID")
        scopes = tuple((env.get(prefix + "SCOPES") or "openid email profile").replace(",", " ").split())
        return cls(
            id=provider_id.lower(),
            name=env.get(prefix + "NAME") or provider_id,
            issuer=issuer.rstrip("/"),
            client_id=client_id,
            client_secret=env.get(prefix + "CLIENT_SECRET") or None,
            scopes=scopes if "openid" in scopes else ("openid", *scopes),
            allowed_domains=tuple(d.lower() for d in _split(env.get(prefix + "ALLOWED_DOMAINS"))),
            jit_workspace=env.get(prefix + "JIT_WORKSPACE") or None,
            jit_role=env.get(prefix + "JIT_ROLE") or "viewer",
        )


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Flowloom process.

    Build it with `Settings.from_env()` in an entry point and pass it down; no module reads the
    environment on its own.
    """

    home: Path
    """Data directory: the embedded PostgreSQL cluster and the generated secret key live here."""
    database_url: str | None = None
    """A PostgreSQL DSN. None selects the embedded PostgreSQL under `home`."""
    redis_url: str | None = None
    """A Redis URL. None selects the in-process broker (embedded mode)."""
    secret_key: str | None = None
    """Key for encrypting secrets at rest; the embedded mode generates one under `home`."""
    http_allowlist: tuple[str, ...] = ()
    """Hosts the HTTP tool may reach even though they resolve to private addresses."""
    model_allowlist: tuple[str, ...] = ()
    """Hosts model and embedding providers' base URLs may name even though they resolve to loopback
    or private addresses (a vLLM or Ollama on the internal network). Kept apart from the HTTP tool's:
    the allowlist is by host, any port, and a model server allowed for credentials should not become
    reachable by every workflow's HTTP tool (nor the reverse)."""
    allowed_origins: tuple[str, ...] = ()
    """Browser origins allowed to open GraphQL websockets (besides same-origin pages)."""
    graphiql: bool = True
    """Serve GraphiQL at GET /graphql."""
    max_query_depth: int = 12
    """Deepest selection nesting a GraphQL operation may have."""
    max_aliases: int = 30
    """Most aliases a GraphQL operation may use."""
    max_tokens: int = 5000
    """Most lexical tokens a GraphQL document may have."""
    max_subscriptions: int = 50
    """Most operations one websocket connection may run at once."""
    ws_init_timeout: float = 5.0
    """Seconds a websocket may stay open without sending connection_init (then closed 4408)."""
    ws_keepalive: float = 15.0
    """Seconds between the server's keep-alive pings on idle-looking websockets."""
    max_node_output_bytes: int = 1_000_000
    """Largest node output (and run output, and join input) as UTF-8 JSON; larger fails the node."""
    max_run_output_bytes: int = 32_000_000
    """Largest total of one run's node outputs (every node and iteration) as UTF-8 JSON."""
    max_input_bytes: int = 1_000_000
    """Largest run inputs (startRun, rerunFromNode) as UTF-8 JSON; larger is a typed problem."""
    max_human_input_bytes: int = 1_000_000
    """Largest answer to a human task as UTF-8 JSON; larger is a typed problem."""
    max_json_depth: int = 64
    """Deepest nesting of arrays and objects in any stored value (inputs, outputs, answers)."""
    template_cpu_seconds: float = 1.0
    """CPU time one template rendering may use before it fails its node."""
    max_template_output_bytes: int = 1_000_000
    """Largest text (UTF-8 bytes) one template may render, and largest value it may build."""
    public_url: str | None = None
    """The URL people open Flowloom at (links in setup, invite and reset messages, OIDC redirects);
    None: http://<host>:<port> of `flowloom serve`."""
    oidc_providers: tuple[OidcProviderSettings, ...] = ()
    """OpenID Connect providers for sign-in (`FLOWLOOM_OIDC_PROVIDERS=corp,google` and their settings)."""
    session_idle_seconds: float = 12 * 3600
    """A browser session unused this long ends."""
    session_absolute_seconds: float = 7 * 24 * 3600
    """A browser session ends this long after sign-in, however active."""
    secure_cookies: bool | None = None
    """Mark cookies Secure; None: when `public_url` is https."""
    introspection: bool | None = None
    """Answer introspection queries and suggest field names in errors; None: only in the embedded mode."""
    max_query_cost: int = 20_000
    """Most objects one GraphQL operation may ask for: page sizes multiplied along nested lists."""
    rate_limit_per_minute: int = 600
    """Requests per minute one token or browser session may make; 0 turns this limit off."""
    rate_limit_per_address_per_minute: int = 1200
    """Requests per minute one client address may make, whoever it signs in as; 0 turns it off."""
    link_ttl_seconds: float = 7 * 24 * 3600
    """How long setup, invite and password-reset links stay valid."""
    smtp_url: str | None = None
    """`smtp://user:password@host:port` (or smtps://) for invite and reset mails; None: links are
    only shown to whoever created them."""
    mail_from: str = "flowloom@localhost"
    """Sender of invite and reset mails."""
    web_dir: Path | None = None
    """The built web app (`index.html` and `assets/`) served at `/`; None, or a directory without
    `index.html`: the API alone, with the server-rendered account pages."""
    execute_in_serve: bool | None = None
    """Whether `flowloom serve` also executes runs (`FLOWLOOM_SERVE_EXECUTES`); None: only without
    Redis (then it must: nothing else would). See `serve_executes`."""
    worker_concurrency: int = 32
    """Runs one process executes at once (`flowloom worker --concurrency`, or the embedded server)."""
    workspace_concurrency: int = 32
    """Runs of one workspace in the queue or executing at once, across all workers."""
    lease_seconds: float = 10.0
    """How long a run's lease outlives its holder's last heartbeat (renewed every third of it):
    after a worker dies, its runs resume elsewhere about this long later."""
    reconcile_seconds: float = 2.0
    """How often executing processes reconcile the queue with PostgreSQL."""
    queue_grace_seconds: float = 5.0
    """How long a run may be marked dispatched without its queue entry before the reconciler asks
    the queue about it (an enqueue may still be on its way); after a Redis loss, runs are queued
    again this long after it returns, at the latest."""
    shutdown_grace_seconds: float = 10.0
    """On SIGTERM, how long a worker lets executions finish before handing them to another."""
    worker_health_port: int | None = None
    """`flowloom worker` serves GET /healthz and /metrics on this port (127.0.0.1 unless
    `--health-host`)."""
    tracing: bool = False
    """Whether traces are exported: set by the standard `OTEL_*` variables alone
    (`backend.telemetry.tracing.tracing_requested`), which also configure the exporter."""
    metrics_token: str | None = None
    """When set, GET /metrics needs `Authorization: Bearer <token>`."""
    max_request_bytes: int = 10_000_000
    """Largest GraphQL request body, except uploadDocuments' multipart requests."""
    max_upload_bytes: int = 100_000_000
    """Largest multipart upload request (uploadDocuments: every file of it together)."""
    max_document_bytes: int = 20_000_000
    """Largest file one upload may carry (uploadDocuments), and largest text addDocuments takes."""
    max_documents_per_request: int = 100
    """Most files or texts one uploadDocuments or addDocuments call may add."""
    max_document_chars: int = 5_000_000
    """Most characters of text one document may yield once extracted (a 20 MB PDF of text does)."""
    index_min_chunks: int = 1000
    """Chunks a collection generation holds before its vector index is built (smaller ones are
    searched exactly, in under 2 ms); built once its documents are ingested, not per document."""
    retention_events_days: float = 0
    """Run events of runs finished longer ago than this many days are deleted; 0 keeps them forever."""
    retention_node_data_days: float = 0
    """Node inputs and outputs of runs finished longer ago than this are pruned (status, timings and
    usage stay); 0 keeps them forever."""
    retention_runs_days: float = 0
    """Runs finished longer ago than this are deleted with everything they hold; 0 keeps them forever."""
    prune_seconds: float = 3600.0
    """How often executing processes prune what retention lets go (one of them at a time)."""
    prune_batch_size: int = 2000
    """Rows one pruning statement deletes or updates at most (each in its own short transaction)."""
    max_event_output_bytes: int = 65_536
    """Largest node output (UTF-8 JSON) copied into its NODE_SUCCEEDED event; a larger one is only
    referenced there (`outputRef`) and read from the node run. 0 always copies."""
    model_prices: Mapping[str, ModelPrice] = field(default_factory=dict)
    """Prices (USD per million input and output tokens) by model string or `name*` pattern,
    replacing or adding to the shipped ones (`FLOWLOOM_MODEL_PRICES`, JSON: `{"gpt-4o": {"input":
    2.5, "output": 10}}`); see `engine.pricing`."""
    extra: Mapping[str, str] = field(default_factory=dict)
    """Unrecognised FLOWLOOM_* variables, kept for diagnostics."""

    @property
    def embedded(self) -> bool:
        """True when Flowloom runs its own PostgreSQL rather than a configured one."""
        return self.database_url is None

    @property
    def model_loopback_allowed(self) -> bool:
        """Whether model base URLs may reach loopback addresses without the allowlist.

        In the embedded single-user mode they may: a local Ollama or vLLM is the common case, and
        the user who sets the credential owns the machine. A deployment on a shared database serves
        many users from machines whose loopback services are not theirs, so it allowlists them.
        """
        return self.embedded

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from environment variables (`os.environ` by default)."""
        env = os.environ if env is None else env
        home = Path(env.get("FLOWLOOM_HOME") or platformdirs.user_data_dir("flowloom")).expanduser()
        return cls(
            home=home,
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("FLOWLOOM_SECRET_KEY") or None,
            http_allowlist=_split(env.get("FLOWLOOM_HTTP_ALLOWLIST")),
            model_allowlist=_split(env.get("FLOWLOOM_MODEL_ALLOWLIST")),
            allowed_origins=_split(env.get("FLOWLOOM_ALLOWED_ORIGINS")),
            graphiql=_flag(env.get("FLOWLOOM_GRAPHIQL")) is not False,
            max_subscriptions=int(env.get("FLOWLOOM_MAX_SUBSCRIPTIONS", "50")),
            ws_keepalive=float(env.get("FLOWLOOM_WS_KEEPALIVE_SECONDS", "15")),
            template_cpu_seconds=float(env.get("FLOWLOOM_TEMPLATE_CPU_SECONDS", "1")),
            max_template_output_bytes=int(env.get("FLOWLOOM_MAX_TEMPLATE_OUTPUT_BYTES", "1000000")),
            max_node_output_bytes=int(env.get("FLOWLOOM_MAX_NODE_OUTPUT_BYTES", "1000000")),
            max_run_output_bytes=int(env.get("FLOWLOOM_MAX_RUN_OUTPUT_BYTES", "32000000")),
            max_input_bytes=int(env.get("FLOWLOOM_MAX_INPUT_BYTES", "1000000")),
            max_human_input_bytes=int(env.get("FLOWLOOM_MAX_HUMAN_INPUT_BYTES", "1000000")),
            max_json_depth=int(env.get("FLOWLOOM_MAX_JSON_DEPTH", "64")),
            max_query_depth=int(env.get("FLOWLOOM_MAX_QUERY_DEPTH", "12")),
            max_aliases=int(env.get("FLOWLOOM_MAX_ALIASES", "30")),
            max_tokens=int(env.get("FLOWLOOM_MAX_TOKENS", "5000")),
            ws_init_timeout=float(env.get("FLOWLOOM_WS_INIT_TIMEOUT_SECONDS", "5")),
            public_url=(env.get("FLOWLOOM_PUBLIC_URL") or "").rstrip("/") or None,
            oidc_providers=tuple(
                OidcProviderSettings.from_env(provider, env)
                for provider in _split(env.get("FLOWLOOM_OIDC_PROVIDERS"))
            ),
            session_idle_seconds=float(env.get("FLOWLOOM_SESSION_IDLE_SECONDS", str(12 * 3600))),
            session_absolute_seconds=float(env.get("FLOWLOOM_SESSION_ABSOLUTE_SECONDS", str(7 * 24 * 3600))),
            secure_cookies=_flag(env.get("FLOWLOOM_SECURE_COOKIES")),
            introspection=_flag(env.get("FLOWLOOM_INTROSPECTION")),
            max_query_cost=int(env.get("FLOWLOOM_MAX_QUERY_COST", "20000")),
            rate_limit_per_minute=int(env.get("FLOWLOOM_RATE_LIMIT_PER_MINUTE", "600")),
            rate_limit_per_address_per_minute=int(
                env.get("FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "1200")
            ),
            link_ttl_seconds=float(env.get("FLOWLOOM_LINK_TTL_SECONDS", str(7 * 24 * 3600))),
            smtp_url=env.get("FLOWLOOM_SMTP_URL") or None,
            mail_from=env.get("FLOWLOOM_MAIL_FROM") or "flowloom@localhost",
            execute_in_serve=_flag(env.get("FLOWLOOM_SERVE_EXECUTES")),
            worker_concurrency=int(env.get("FLOWLOOM_WORKER_CONCURRENCY", "32")),
            workspace_concurrency=int(env.get("FLOWLOOM_WORKSPACE_CONCURRENCY", "32")),
            lease_seconds=float(env.get("FLOWLOOM_LEASE_SECONDS", "10")),
            reconcile_seconds=float(env.get("FLOWLOOM_RECONCILE_SECONDS", "2")),
            queue_grace_seconds=float(env.get("FLOWLOOM_QUEUE_GRACE_SECONDS", "5")),
            shutdown_grace_seconds=float(env.get("FLOWLOOM_SHUTDOWN_GRACE_SECONDS", "10")),
            worker_health_port=int(env["FLOWLOOM_WORKER_HEALTH_PORT"])
            if env.get("FLOWLOOM_WORKER_HEALTH_PORT")
            else None,
            tracing=tracing_requested(env),
            metrics_token=env.get("FLOWLOOM_METRICS_TOKEN") or None,
            max_request_bytes=int(env.get("FLOWLOOM_MAX_REQUEST_BYTES", "10000000")),
            max_upload_bytes=int(env.get("FLOWLOOM_MAX_UPLOAD_BYTES", "100000000")),
            max_document_bytes=int(env.get("FLOWLOOM_MAX_DOCUMENT_BYTES", "20000000")),
            max_documents_per_request=int(env.get("FLOWLOOM_MAX_DOCUMENTS_PER_REQUEST", "100")),
            max_document_chars=int(env.get("FLOWLOOM_MAX_DOCUMENT_CHARS", "5000000")),
            index_min_chunks=int(env.get("FLOWLOOM_INDEX_MIN_CHUNKS", "1000")),
            model_prices=_model_prices(env.get("FLOWLOOM_MODEL_PRICES")),
            retention_events_days=float(env.get("FLOWLOOM_RETENTION_EVENTS_DAYS") or "0"),
            retention_node_data_days=float(env.get("FLOWLOOM_RETENTION_NODE_DATA_DAYS") or "0"),
            retention_runs_days=float(env.get("FLOWLOOM_RETENTION_RUNS_DAYS") or "0"),
            prune_seconds=float(env.get("FLOWLOOM_PRUNE_SECONDS") or "3600"),
            prune_batch_size=int(env.get("FLOWLOOM_PRUNE_BATCH_SIZE") or "2000"),
            max_event_output_bytes=int(env.get("FLOWLOOM_MAX_EVENT_OUTPUT_BYTES") or "65536"),
            web_dir=Path(env["FLOWLOOM_WEB_DIR"]).expanduser()
            if env.get("FLOWLOOM_WEB_DIR")
            else _source_web_dir(),
        )

    @property
    def serve_executes(self) -> bool:
        """Whether `flowloom serve` executes runs: always without Redis, else when asked to."""
        return self.redis_url is None or bool(self.execute_in_serve)

    @property
    def introspection_enabled(self) -> bool:
        """Whether introspection and field suggestions are on (default: embedded mode only)."""
        return self.embedded if self.introspection is None else self.introspection

    def cookies_secure(self) -> bool:
        """Whether cookies get the Secure flag."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return (self.public_url or "").startswith("https://")

    def price_table(self) -> PriceTable:
        """The shipped model prices with `model_prices` applied."""
        return PriceTable.with_overrides(self.model_prices)

    def run_limits(self) -> RunLimits:
        """The engine's limits on what runs store (README, "Limits")."""
        return RunLimits(
            max_output_bytes=self.max_node_output_bytes,
            max_run_output_bytes=self.max_run_output_bytes,
            max_json_depth=self.max_json_depth,
            max_input_bytes=self.max_input_bytes,
            max_human_input_bytes=self.max_human_input_bytes,
            template_cpu_seconds=self.template_cpu_seconds,
            max_template_output_bytes=self.max_template_output_bytes,
            max_event_output_bytes=self.max_event_output_bytes,
        )
