"""The repository layer: one object per transaction (or read) with a repository per table."""

from __future__ import annotations

from core.storage.connection import Connection
from core.storage.repo_audit import AuditRepository
from core.storage.repo_devices import AuthenticatorRepository, RegistrationRepository
from core.storage.repo_directory import DomainRepository, PushAppRepository, UserRepository
from core.storage.repo_reset import ResetRepository
from core.storage.repo_sessions import NonceRepository, SessionRepository
from core.storage.retention import RetentionRepository


class Repositories:
    """What a ``Database.transaction()`` or ``Database.read()`` block works with."""

    def __init__(self, connection: Connection) -> None:
        self.domains = DomainRepository(connection)
        self.push_apps = PushAppRepository(connection)
        self.users = UserRepository(connection)
        self.registrations = RegistrationRepository(connection)
        self.authenticators = AuthenticatorRepository(connection)
        self.sessions = SessionRepository(connection)
        self.nonces = NonceRepository(connection)
        self.audit = AuditRepository(connection)
        self.retention = RetentionRepository(connection)
        self.reset = ResetRepository(connection)
