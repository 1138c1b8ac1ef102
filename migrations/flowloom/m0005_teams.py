"""Teams: passwords, OIDC identities, browser sessions, token roles, one-time links and the audit log.

- Emails are unique without regard to case (`users_email_lower`); they are stored as typed.
- A token acts with its own role, never above its creator's (checked when it is created, and each
  request takes the lower of the two); existing tokens were the CLI's owner tokens and stay owner.
- Sessions and links store the SHA-256 of their secret, like tokens: a database leak signs no one in.
- Workspaces are deleted softly (`deleted_at`): runs still executing in one must not lose their rows
  under them; authentication ignores deleted workspaces at once.
- Audit events keep their workspace id without a foreign key, so the record of a deletion survives it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-02T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "teams"

SQL = """
ALTER TABLE users ADD COLUMN password_hash varchar(255);
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

ALTER TABLE workspaces ADD COLUMN deleted_at timestamptz;

CREATE TABLE user_identities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider varchar(64) NOT NULL,
    subject varchar(255) NOT NULL,
    email varchar(320),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_identity UNIQUE (provider, subject)
);
CREATE INDEX user_identities_user_id ON user_identities (user_id);

CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash varchar(64) NOT NULL UNIQUE,
    address varchar(64),
    user_agent varchar(300),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user_id ON sessions (user_id);

ALTER TABLE api_tokens ADD COLUMN role varchar(16) NOT NULL DEFAULT 'owner';
ALTER TABLE api_tokens ALTER COLUMN role DROP DEFAULT;
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
ALTER TABLE api_tokens ADD COLUMN revoked_at timestamptz;

CREATE TABLE account_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind varchar(16) NOT NULL,
    secret_hash varchar(64) NOT NULL UNIQUE,
    workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    email varchar(320),
    role varchar(16),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX account_links_workspace_id ON account_links (workspace_id);

CREATE TABLE oidc_flows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider varchar(64) NOT NULL,
    binding_hash varchar(64) NOT NULL UNIQUE,
    state varchar(200) NOT NULL,
    nonce varchar(200) NOT NULL,
    code_verifier varchar(200) NOT NULL,
    next_path varchar(2000) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid,
    actor_user_id uuid,
    actor_token_id uuid,
    actor_email varchar(320),
    action varchar(64) NOT NULL,
    target varchar(400),
    address varchar(64),
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_listing ON audit_events (workspace_id, at DESC, id DESC);
"""

DROP_SQL = """
DROP TABLE IF EXISTS audit_events, oidc_flows, account_links, sessions, user_identities;
ALTER TABLE api_tokens DROP COLUMN IF EXISTS role, DROP COLUMN IF EXISTS expires_at,
    DROP COLUMN IF EXISTS revoked_at;
ALTER TABLE workspaces DROP COLUMN IF EXISTS deleted_at;
DROP INDEX IF EXISTS users_email_lower;
ALTER TABLE users DROP COLUMN IF EXISTS password_hash, DROP COLUMN IF EXISTS password_changed_at;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
