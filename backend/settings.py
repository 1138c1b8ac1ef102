"""Flowloom's settings, read once from the environment by the composition root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from engine.limits import RunLimits

DEFAULT_WORKSPACE_SLUG = "default"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


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
            graphiql=env.get("FLOWLOOM_GRAPHIQL", "1") not in {"0", "false", "no"},
            max_subscriptions=int(env.get("FLOWLOOM_MAX_SUBSCRIPTIONS", "50")),
            ws_keepalive=float(env.get("FLOWLOOM_WS_KEEPALIVE_SECONDS", "15")),
            template_cpu_seconds=float(env.get("FLOWLOOM_TEMPLATE_CPU_SECONDS", "1")),
            max_template_output_bytes=int(env.get("FLOWLOOM_MAX_TEMPLATE_OUTPUT_BYTES", "1000000")),
            max_node_output_bytes=int(env.get("FLOWLOOM_MAX_NODE_OUTPUT_BYTES", "1000000")),
            max_run_output_bytes=int(env.get("FLOWLOOM_MAX_RUN_OUTPUT_BYTES", "32000000")),
            max_input_bytes=int(env.get("FLOWLOOM_MAX_INPUT_BYTES", "1000000")),
            max_human_input_bytes=int(env.get("FLOWLOOM_MAX_HUMAN_INPUT_BYTES", "1000000")),
            max_json_depth=int(env.get("FLOWLOOM_MAX_JSON_DEPTH", "64")),
        )

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
        )
