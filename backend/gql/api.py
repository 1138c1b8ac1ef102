"""What the API's handlers (GraphQL resolvers, REST routes, probes) may use, as a protocol.

Handlers see the services through this protocol, never through the composition root
(`backend.services`): importing a slice's types or resolvers loads no broker, database or engine,
and a handler cannot reach what an API process does not serve (the run host, the queue worker).
`backend.services.Services` satisfies it; an import-linter contract keeps handlers off the root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backend.accounts.audit_query import AuditQuery
    from backend.accounts.invitations import InvitationService
    from backend.accounts.oidc import OidcClients
    from backend.accounts.oidc_sign_in import OidcFlowStore, OidcSignIn
    from backend.accounts.password_resets import PasswordService
    from backend.accounts.service import AccountsService
    from backend.accounts.workspaces import WorkspaceService
    from backend.costs.service import CostService
    from backend.credentials.service import CredentialService
    from backend.db.database import Database
    from backend.knowledge.service import KnowledgeService
    from backend.live.broker import Broker
    from backend.live.revocations import Revocations
    from backend.live.service import LiveService
    from backend.runs.node_tests import NodeTestService
    from backend.runs.service import RunService
    from backend.settings import Settings
    from backend.stats.service import StatsService
    from backend.triggers.deliveries import Deliveries
    from backend.triggers.service import TriggerService
    from backend.workflows.service import WorkflowService


class Api(Protocol):
    """The services of an API process, by name."""

    @property
    def settings(self) -> Settings: ...
    @property
    def accounts(self) -> AccountsService: ...
    @property
    def workspaces(self) -> WorkspaceService: ...
    @property
    def invitations(self) -> InvitationService: ...
    @property
    def passwords(self) -> PasswordService: ...
    @property
    def workflows(self) -> WorkflowService: ...
    @property
    def credentials(self) -> CredentialService: ...
    @property
    def runs(self) -> RunService: ...
    @property
    def node_tests(self) -> NodeTestService: ...
    @property
    def knowledge(self) -> KnowledgeService: ...
    @property
    def stats(self) -> StatsService: ...
    @property
    def costs(self) -> CostService: ...
    @property
    def live(self) -> LiveService: ...
    @property
    def oidc(self) -> OidcClients: ...
    @property
    def oidc_flows(self) -> OidcFlowStore: ...
    @property
    def oidc_sign_in(self) -> OidcSignIn: ...
    @property
    def revocations(self) -> Revocations: ...
    @property
    def audit(self) -> AuditQuery: ...
    @property
    def triggers(self) -> TriggerService: ...
    @property
    def deliveries(self) -> Deliveries:
        """Webhook deliveries (`POST /hooks/{trigger id}`)."""
        ...

    @property
    def db(self) -> Database:
        """For the readiness probe."""
        ...

    @property
    def broker(self) -> Broker:
        """For the readiness probe."""
        ...
