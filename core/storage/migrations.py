"""The versioned schema of the core database.

``PRAGMA user_version`` holds the number of the last migration applied. Each
migration is a script that runs in one transaction together with the version
bump, so a crash mid-migration leaves the previous version intact. Append new
migrations; never edit one that has shipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="domain model: domains, push apps, users, authenticators, sessions, audit",
        statements=(
            """CREATE TABLE domains (
                name TEXT PRIMARY KEY,
                mobile_app_name TEXT NOT NULL,
                request_method TEXT NOT NULL,
                keywords TEXT NOT NULL,             -- JSON {keyword: protection}
                push_timeout INTEGER NOT NULL,
                lockout_threshold INTEGER NOT NULL,
                poll_fallback INTEGER NOT NULL,
                number_matching INTEGER NOT NULL,
                created REAL NOT NULL
            )""",
            """CREATE TABLE push_apps (
                app_id TEXT PRIMARY KEY,
                platform TEXT NOT NULL CHECK (platform IN ('android', 'ios')),
                fcm_project_id TEXT,
                fcm_service_account TEXT,           -- the service-account JSON as uploaded
                fcm_legacy_server_key TEXT,
                apns_auth TEXT CHECK (apns_auth IN ('token', 'certificate')),
                apns_key_pem TEXT,
                apns_key_id TEXT,
                apns_team_id TEXT,
                apns_cert_pem TEXT,                 -- client certificate + its key, PEM
                apns_bundle_id TEXT,
                apns_environment TEXT NOT NULL DEFAULT 'sandbox',
                endpoint TEXT,                      -- overrides the default provider URL
                token_uri TEXT,                     -- overrides the default OAuth token URL
                created REAL NOT NULL
            )""",
            """CREATE TABLE users (
                user_id TEXT NOT NULL,
                domain TEXT NOT NULL REFERENCES domains(name),
                password_hash TEXT,
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                locked INTEGER NOT NULL DEFAULT 0,
                cooldown_until REAL,
                created REAL NOT NULL,
                PRIMARY KEY (user_id, domain)
            )""",
            """CREATE TABLE registrations (
                registration_id TEXT PRIMARY KEY,
                serial TEXT NOT NULL UNIQUE,
                user_id TEXT NOT NULL,
                domain TEXT NOT NULL,
                app_kind TEXT NOT NULL,
                platform TEXT NOT NULL,
                status TEXT NOT NULL,
                server_state TEXT NOT NULL,         -- JSON, ServerActivationState.to_dict()
                keys TEXT,                          -- JSON, after add-device
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                expires REAL NOT NULL,
                created REAL NOT NULL,
                FOREIGN KEY (user_id, domain) REFERENCES users(user_id, domain)
                    ON DELETE CASCADE
            )""",
            """CREATE TABLE authenticators (
                serial TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                domain TEXT NOT NULL,
                registration_id TEXT NOT NULL,
                app_kind TEXT NOT NULL CHECK (app_kind IN ('authenticator', 'sdk')),
                platform TEXT NOT NULL CHECK (platform IN ('android', 'ios')),
                status TEXT NOT NULL,
                keys TEXT NOT NULL,                 -- JSON, AuthenticatorKeys.to_dict()
                push_platform TEXT,
                push_token TEXT,
                push_app_id TEXT,
                created REAL NOT NULL,
                activated REAL,
                FOREIGN KEY (user_id, domain) REFERENCES users(user_id, domain)
                    ON DELETE CASCADE
            )""",
            """CREATE TABLE sessions (
                request_id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                domain TEXT NOT NULL,
                serial TEXT,
                challenge TEXT NOT NULL,
                protection TEXT NOT NULL,
                keyword TEXT,
                status TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                number INTEGER,
                numbers TEXT,                       -- JSON list, when number matching is on
                client_ip TEXT NOT NULL DEFAULT '',
                created REAL NOT NULL,
                expires REAL NOT NULL,
                decided REAL,
                request_message TEXT,
                challenge_key_hash TEXT,
                fetched INTEGER NOT NULL DEFAULT 0,
                push_state TEXT NOT NULL DEFAULT 'none',
                push_detail TEXT NOT NULL DEFAULT '',
                user_rejected INTEGER NOT NULL DEFAULT 0,
                checks TEXT,                        -- JSON, the deciding validation
                failed_check TEXT
            )""",
            """CREATE TABLE seen_nonces (
                serial TEXT NOT NULL,
                nonce TEXT NOT NULL,
                seen REAL NOT NULL,
                PRIMARY KEY (serial, nonce)
            ) WITHOUT ROWID""",
            """CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                request_id TEXT,
                step INTEGER,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT '',
                summary TEXT NOT NULL DEFAULT '',
                raw TEXT,
                header TEXT,
                body TEXT,
                details TEXT NOT NULL DEFAULT '{}',
                time REAL NOT NULL
            )""",
        ),
    ),
    Migration(
        version=2,
        description="indexes for the hot lookups",
        statements=(
            "CREATE INDEX sessions_by_user ON sessions (user_id, domain, status)",
            "CREATE INDEX sessions_by_serial ON sessions (serial, status, created)",
            "CREATE UNIQUE INDEX sessions_by_challenge_key ON sessions (challenge_key_hash)",
            "CREATE INDEX sessions_pending_expiry ON sessions (expires) WHERE status = 'pending'",
            "CREATE INDEX audit_by_request ON audit_events (request_id, id)",
            "CREATE INDEX authenticators_by_user ON authenticators (user_id, domain, status)",
        ),
    ),
    Migration(
        version=3,
        description="which protection the deciding answer used (a PIN may stand in for a finger)",
        statements=("ALTER TABLE sessions ADD COLUMN protection_used TEXT",),
    ),
    Migration(
        version=4,
        description="push rate limit and unknown-user answers (domain options), its admin reset",
        statements=(
            "ALTER TABLE domains ADD COLUMN reveal_unknown_users INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE domains ADD COLUMN push_rate_limit INTEGER NOT NULL DEFAULT 3",
            "ALTER TABLE domains ADD COLUMN push_rate_window INTEGER NOT NULL DEFAULT 60",
            "ALTER TABLE users ADD COLUMN pushes_counted_from REAL",  # reset by an admin unlock
            "CREATE INDEX sessions_by_user_created ON sessions (user_id, domain, created)",
        ),
    ),
    Migration(
        version=5,
        # SQLite took (user_id, domain, created) for "this user's pending sessions"
        # and read every kept session of the user: a login grew slower with history
        description="a user's pending sessions found by status, oldest first, without a scan",
        statements=(
            "DROP INDEX sessions_by_user",
            "CREATE INDEX sessions_by_user_status ON sessions (user_id, domain, status, created)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
