"""Core storage: SQLite in WAL mode, versioned migrations, one repository layer."""

from core.storage.database import Database, SchemaTooNew
from core.storage.repositories import Repositories

__all__ = ["Database", "Repositories", "SchemaTooNew"]
