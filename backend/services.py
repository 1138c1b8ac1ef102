"""The composition root's product: every service of one Flowloom process, opened and closed together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx2

from backend.accounts.access_repository import AccessRepository
from backend.accounts.audit import AuditLog
from backend.accounts.audit_query import AuditQuery
from backend.accounts.invitations import InvitationService
from backend.accounts.invites_repository import InvitesRepository
from backend.accounts.links import LinkRepository
from backend.accounts.mail import Mailer
from backend.accounts.members_repository import MembersRepository
from backend.accounts.oidc import OidcClients, oidc_http_client
from backend.accounts.oidc_sign_in import OidcFlowStore, OidcSignIn
from backend.accounts.password_resets import PasswordService
from backend.accounts.repository import AccountsRepository
from backend.accounts.service import AccountsService, SessionPolicy
from backend.accounts.workspaces import WorkspaceService
from backend.costs.guard import PostgresBudgetGuard
from backend.costs.repository import CostRepository
from backend.costs.service import CostService
from backend.credentials.crypto import SecretBox, load_secret
from backend.credentials.providers import WorkspaceEmbedder, WorkspaceModels
from backend.credentials.repository import CredentialRepository
from backend.credentials.service import CredentialService
from backend.db.connect import open_database
from backend.db.database import Database
from backend.knowledge.chunks_repository import VectorIndexes
from backend.knowledge.ingester import Ingester
from backend.knowledge.service import KnowledgeService, Limits
from backend.knowledge.vectors import PostgresVectorStore
from backend.live.broker import Broker
from backend.live.control import RunControl
from backend.live.revocations import Revocations
from backend.live.service import LiveService
from backend.live.sink import BrokerEventSink
from backend.runs.admission import Admission
from backend.runs.dispatch import InProcessQueue, RunQueue
from backend.runs.graphs import GraphCache
from backend.runs.host import RunHost
from backend.runs.leases import Leases
from backend.runs.node_tests import NodeTestService
from backend.runs.node_tests_repository import NodeTestRepository
from backend.runs.reconciler import Reconciler
from backend.runs.repository import RunRepository
from backend.runs.retention import Pruner, RetentionPolicy
from backend.runs.saq_queue import SaqQueue, SaqWorker
from backend.runs.service import RunService
from backend.runs.starting import RunStarter
from backend.runs.store import PostgresRunStore
from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings
from backend.stats.repository import StatsRepository
from backend.stats.service import StatsService
from backend.telemetry.attempts import ProcessTelemetry
from backend.telemetry.events import MeteredEventSink
from backend.telemetry.runs import RunTraces
from backend.telemetry.tracing import flowloom_tracer
from backend.triggers.deliveries import Deliveries
from backend.triggers.repository import TriggerRepository
from backend.triggers.scheduler import Scheduler
from backend.triggers.service import TriggerService
from backend.workflows.repository import WorkflowRepository
from backend.workflows.service import WorkflowService
from engine.execution import Engine
from engine.models import provider_http_client
from engine.nodes.address_policy import AddressPolicy
from engine.nodes.base import HttpSettings, NodeServices

log = logging.getLogger(__name__)


def model_address_policy(settings: Settings) -> AddressPolicy:
    """Where model and embedding providers may connect: the HTTP tool's rules, the model allowlist,
    and loopback in the embedded mode (`Settings.model_loopback_allowed`)."""
    return AddressPolicy(
        allowlist=frozenset(settings.model_allowlist), allow_loopback=settings.model_loopback_allowed
    )


_FORGET_DEAD_PROCESS_SQL = """
UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, dispatched_at = NULL
WHERE lease_owner IS NOT NULL OR dispatched_at IS NOT NULL
"""


@dataclass
class RunRuntime:
    """What a process needs to record, dispatch and (optionally) execute runs.

    Every process takes leases to change a run and admits runs to the queue. A process that
    executes runs also has a host, which executes the tickets the queue hands it, and a reconciler.
    """

    settings: Settings
    leases: Leases
    store: PostgresRunStore
    engine: Engine
    graphs: GraphCache
    runs: RunRepository
    admission: Admission
    queue: RunQueue
    credentials: CredentialService
    node_services: NodeServices
    workflows: WorkflowRepository
    indexes: VectorIndexes
    """The vector index of each knowledge collection generation (HNSW, or VectorChord's when installed)."""
    traces: RunTraces
    """Where each run's trace begins and how its executions continue it (inert without tracing)."""
    host: RunHost | None = None
    reconciler: Reconciler | None = None
    pruner: Pruner | None = None
    """Applies the retention settings, in a process that executes runs (one process at a time)."""
    worker: SaqWorker | None = None
    scheduler: Scheduler | None = None
    """Fires schedule triggers, in a process that executes work (every such process; one wins each tick)."""
    ingester: Ingester | None = None
    """Ingests knowledge documents and re-embeds collections, in a process that executes work."""

    @classmethod
    def wire(
        cls,
        settings: Settings,
        db: Database,
        broker: Broker,
        credentials: CredentialService,
        model_http: httpx2.AsyncClient,
        *,
        execute: bool,
    ) -> RunRuntime:
        """Wire the run stack; with `execute`, a host and a reconciler too. The queue is saq on
        Redis when `REDIS_URL` is set, else this process (which then executes: `execute` is implied)."""
        leases = Leases(db.pool, seconds=settings.lease_seconds)
        store = PostgresRunStore(db.pool, owner=leases.owner)
        limits = settings.run_limits()
        indexes = VectorIndexes(db.pool)
        embedder = WorkspaceEmbedder(credentials, model_http)
        tracer = flowloom_tracer() if settings.tracing else None
        node_services = NodeServices(
            models=WorkspaceModels(credentials, model_http),
            embedder=embedder,
            vectors=PostgresVectorStore(db.pool, indexes),
            http=HttpSettings(allowlist=frozenset(settings.http_allowlist)),
            limits=limits,
            prices=settings.price_table(),
            budgets=PostgresBudgetGuard(CostRepository(db.pool)),
            telemetry=ProcessTelemetry(tracer),
        )
        events = MeteredEventSink(BrokerEventSink(broker))
        engine = Engine(store=store, events=events, services=node_services)
        traces = RunTraces(db.pool, tracer)
        workflows = WorkflowRepository()
        graphs = GraphCache(workflows)
        runs = RunRepository(db.pool)
        local: InProcessQueue | None = None
        queue: RunQueue
        if settings.redis_url:
            queue = SaqQueue(settings.redis_url)
        else:
            queue = local = InProcessQueue(concurrency=settings.worker_concurrency)
        admission = Admission(db.pool, queue, per_workspace=settings.workspace_concurrency)
        runtime = cls(
            settings=settings,
            leases=leases,
            store=store,
            engine=engine,
            graphs=graphs,
            runs=runs,
            admission=admission,
            queue=queue,
            credentials=credentials,
            node_services=node_services,
            workflows=workflows,
            indexes=indexes,
            traces=traces,
        )
        if execute or settings.redis_url is None:
            runtime.ingester = Ingester(
                db.pool,
                embedder,
                broker,
                indexes,
                max_chars=settings.max_document_chars,
                index_min_chunks=settings.index_min_chunks,
            )
            host = RunHost(engine, graphs, leases, on_released=admission.admit, traces=traces)
            leases.on_lost = host.lost
            runtime.host = host
            runtime.reconciler = Reconciler(
                db.pool,
                admission,
                seconds=settings.reconcile_seconds,
                queue_grace=settings.queue_grace_seconds,
            )
            runtime.pruner = Pruner(
                db.pool, RetentionPolicy.from_settings(settings), seconds=settings.prune_seconds
            )
            starter = RunStarter(
                store=store,
                workflows=workflows,
                graphs=graphs,
                admission=admission,
                credentials=credentials,
                limits=limits,
            )
            runtime.scheduler = Scheduler(TriggerRepository(db.pool), starter)
            if local is not None:
                local.bind(host.execute)
            elif isinstance(queue, SaqQueue):
                runtime.worker = SaqWorker(queue, host, leases, concurrency=settings.worker_concurrency)
        return runtime

    async def start(self, db: Database) -> None:
        """Start the heartbeat, and, in a process that executes runs, reconciling.

        The embedded mode owns its database: leases and queue marks left by a previous process are
        its own, so they are dropped at once and its unfinished runs resume now, not after expiry.
        """
        if isinstance(self.queue, SaqQueue):
            await self.queue.connect()
        await self.indexes.detect()
        self.leases.start()
        if self.reconciler is None:
            return
        if self.settings.embedded:
            async with db.pool.acquire() as connection:
                await connection.execute(_FORGET_DEAD_PROCESS_SQL)
            if self.ingester is not None:
                await self.ingester.release_all()
        await self.reconciler.reconcile(force=True)
        self.reconciler.start()
        if self.pruner is not None:
            self.pruner.start()
        if self.worker is not None:
            await self.worker.start()
        if self.ingester is not None:
            self.ingester.start()
        if self.scheduler is not None:
            self.scheduler.start()

    async def stop(self) -> None:
        """Stop executing (interrupted runs go back to the queue), ingesting, reconciling and the
        heartbeat."""
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.ingester is not None:
            await self.ingester.stop()
        if self.reconciler is not None:
            await self.reconciler.stop()
        if self.pruner is not None:
            await self.pruner.stop()
        if self.worker is not None:
            await self.worker.stop(self.settings.shutdown_grace_seconds)
        # the in-process queue cancels its executions (their runs resume at the next start) and
        # takes no more tickets; the saq queue disconnects
        await self.queue.close()
        await self.leases.stop()
        await self.store.close()


@dataclass
class Services:
    """The services a process serves GraphQL, REST and CLI calls with."""

    settings: Settings
    db: Database
    accounts: AccountsService
    workspaces: WorkspaceService
    invitations: InvitationService
    passwords: PasswordService
    workflows: WorkflowService
    credentials: CredentialService
    runs: RunService
    node_tests: NodeTestService
    knowledge: KnowledgeService
    stats: StatsService
    """The dashboard's figures."""
    costs: CostService
    """What runs cost, and budgets."""
    live: LiveService
    broker: Broker
    runtime: RunRuntime
    """Leases, the queue and, in a process that executes runs, the host and the reconciler."""
    store: PostgresRunStore
    control: RunControl
    model_http: httpx2.AsyncClient
    """The one HTTP client of every model and embedding provider call, under the model address policy."""
    oidc: OidcClients
    """The configured OpenID providers' clients, by provider id."""
    oidc_http: httpx2.AsyncClient
    """The HTTP client of OpenID providers (operator-configured, so not under the model policy)."""
    oidc_flows: OidcFlowStore
    oidc_sign_in: OidcSignIn
    revocations: Revocations
    """Closes the websockets of revoked sessions and tokens, on every process."""
    audit: AuditQuery
    triggers: TriggerService
    """Webhooks and schedules of workflows."""
    deliveries: Deliveries
    """Webhook deliveries (`POST /hooks/{trigger id}`)."""

    @classmethod
    async def open(
        cls, settings: Settings, *, migrate: bool | None = None, execute_runs: bool = False
    ) -> Services:
        """Connect to the database, bring its schema up to date and wire every service.

        `migrate` defaults to True in the embedded mode (this process owns its database) and to
        False with a configured DATABASE_URL, where `flowloom migrate` is an explicit deploy step
        and a stale schema is an error rather than something every replica races to fix.
        With `execute_runs` (`flowloom serve`), this process also executes runs when the settings
        say so (`Settings.serve_executes`: always without Redis, by choice with it).
        """
        box = SecretBox(load_secret(settings.secret_key, settings.home, embedded=settings.embedded))
        db = await open_database(settings, migrate=migrate)
        model_policy = model_address_policy(settings)
        audit = AuditLog()
        credentials = CredentialService(CredentialRepository(), box, model_policy, audit)
        model_http = provider_http_client(model_policy)
        broker = Broker(settings.redis_url)
        await broker.start()
        revocations = Revocations(broker)
        runtime = RunRuntime.wire(
            settings, db, broker, credentials, model_http, execute=execute_runs and settings.serve_executes
        )
        limits = settings.run_limits()
        workflow_repository = runtime.workflows
        run_repository = runtime.runs
        control = RunControl(broker)
        oidc_http = oidc_http_client()
        accounts_repository = AccountsRepository()
        accounts = AccountsService(
            accounts_repository,
            audit=audit,
            sessions=SessionPolicy(
                idle_seconds=settings.session_idle_seconds,
                absolute_seconds=settings.session_absolute_seconds,
            ),
            on_revoked=revocations.publish,
            on_access_changed=revocations.access_changed,
        )
        runs = RunService(
            runs=run_repository,
            store=runtime.store,
            workflows=workflow_repository,
            graphs=runtime.graphs,
            engine=runtime.engine,
            leases=runtime.leases,
            admission=runtime.admission,
            credentials=credentials,
            control=control,
            limits=limits,
            traces=runtime.traces,
        )
        members = MembersRepository()
        workflows = WorkflowService(workflow_repository)
        mailer = Mailer(settings.smtp_url, settings.mail_from)
        links = LinkRepository()
        services = cls(
            settings=settings,
            db=db,
            accounts=accounts,
            workspaces=WorkspaceService(
                accounts=accounts,
                members=members,
                audit=audit,
                runs=runs,
                default_workspace=DEFAULT_WORKSPACE_SLUG,
            ),
            invitations=InvitationService(
                accounts=accounts,
                repository=accounts_repository,
                members=members,
                invites=InvitesRepository(),
                links=links,
                audit=audit,
                mailer=mailer,
                link_ttl_seconds=settings.link_ttl_seconds,
            ),
            passwords=PasswordService(
                accounts=accounts,
                repository=accounts_repository,
                members=members,
                invites=InvitesRepository(),
                links=links,
                access=AccessRepository(),
                audit=audit,
                mailer=mailer,
                link_ttl_seconds=settings.link_ttl_seconds,
            ),
            workflows=workflows,
            credentials=credentials,
            runs=runs,
            node_tests=NodeTestService(
                workflows=workflows,
                repository=NodeTestRepository(),
                credentials=credentials,
                node_services=runtime.node_services,
                limits=limits,
            ),
            knowledge=KnowledgeService(
                db.pool,
                runtime.node_services.embedder,
                broker,
                runtime.indexes,
                Limits(
                    max_document_bytes=settings.max_document_bytes,
                    max_documents_per_request=settings.max_documents_per_request,
                    max_json_depth=settings.max_json_depth,
                ),
                on_added=runtime.ingester.wake if runtime.ingester is not None else lambda: None,
            ),
            stats=StatsService(StatsRepository(db.pool)),
            costs=CostService(CostRepository(db.pool), runtime.node_services.prices, runs.starter),
            live=LiveService(broker, run_repository),
            broker=broker,
            runtime=runtime,
            store=runtime.store,
            control=control,
            model_http=model_http,
            oidc=OidcClients(settings.oidc_providers, oidc_http),
            oidc_http=oidc_http,
            oidc_flows=OidcFlowStore(),
            oidc_sign_in=OidcSignIn(accounts_repository, links, audit),
            revocations=revocations,
            audit=AuditQuery(),
            triggers=TriggerService(TriggerRepository(db.pool), box, runs.starter, audit),
            deliveries=Deliveries(TriggerRepository(db.pool), box, runs.starter, run_repository),
        )
        await revocations.start(services.accounts.live_credentials)
        await services.accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
        await runtime.start(db)
        if runtime.host is not None:
            await control.serve(runtime.leases.owner, runtime.host.handle_command)
        elif execute_runs and settings.redis_url:
            log.info(
                "this process executes no runs: `flowloom worker` processes do (FLOWLOOM_SERVE_EXECUTES)"
            )
        return services

    async def close(self) -> None:
        """Stop executing runs (they stay resumable), finish pending writes, close the broker and pools."""
        await self.control.stop()
        await self.runtime.stop()
        await self.model_http.aclose()
        await self.oidc_http.aclose()
        await self.revocations.stop()
        await self.broker.stop()
        await self.db.close()
