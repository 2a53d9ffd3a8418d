"""The start-up work that needs no event loop, begun the moment the process starts.

The window's Python imports hold the main thread for most of a second. The
workspace material (CA and server keys, the FCM service-account RSA key, the
APNs key) and, on a fresh workspace, the demo users' password hashes (scrypt
at the product's cost) are C work that releases the GIL. ``Prestart`` runs
them in one background thread while the imports go on, and ``Suite.start``
takes the result instead of doing the same work on its own critical path.
Nothing is weakened: the same keys and the same KDF cost, only earlier.

Without a ``Prestart`` the suite calls ``prepare`` itself (in a worker thread).
This module imports nothing heavy at its top, so the thread can start before
the window's imports do; ``prepare`` imports what it needs as it goes.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.pki import PkiMaterial
    from core.provider_credentials import ProviderCredentials
    from core.workspace import Workspace


@dataclass(frozen=True, kw_only=True)
class Prepared:
    """What ``prepare`` made; ``demo_password_hashes`` by user ID (empty on a restart)."""

    workspace: Workspace
    pki: PkiMaterial
    credentials: ProviderCredentials
    admin_token: str
    demo_password_hashes: dict[str, str] = field(default_factory=dict)


def prepare(workspace: Workspace, *, reset: bool, hash_demo: bool = True) -> Prepared:
    """Workspace tree, PKI, provider credentials, admin token; demo hashes when the database is new.

    The hashes use the product's cost (``CoreSettings()``); the seed re-hashes a
    suite that runs at another cost (tests, benchmarks).
    """
    from core.pki import ensure_pki
    from core.provider_credentials import ensure_provider_credentials

    fresh = hash_demo and (reset or not workspace.core_db.exists())
    workspace.ensure(reset=reset)
    pki = ensure_pki(workspace)
    credentials = ensure_provider_credentials(workspace, pki)
    hashes: dict[str, str] = {}
    if fresh:  # a restart finds its users in the database and hashes nothing
        from core.seed import DEMO_PASSWORD, DEMO_USERS
        from core.service.passwords import hash_password
        from core.settings import CoreSettings

        s = CoreSettings()
        hashes = {
            user.user_id: hash_password(
                DEMO_PASSWORD,
                log2_n=s.password_hash_log2_n,
                r=s.password_hash_r,
                p=s.password_hash_p,
            )
            for user in DEMO_USERS
        }
    return Prepared(
        workspace=workspace,
        pki=pki,
        credentials=credentials,
        admin_token=workspace.admin_token(),
        demo_password_hashes=hashes,
    )


class Prestart:
    """``prepare`` on a background thread from now on; ``await result()`` takes it."""

    def __init__(self, workspace: Workspace, *, reset: bool = False) -> None:
        self.workspace = workspace
        self.reset = reset
        self._future: Future[Prepared] = Future()
        threading.Thread(target=self._run, name="pushsim prestart", daemon=True).start()

    def _run(self) -> None:
        try:
            self._future.set_result(prepare(self.workspace, reset=self.reset))
        except BaseException as exc:  # handed to whoever awaits the result
            self._future.set_exception(exc)

    async def result(self) -> Prepared:
        return await asyncio.wrap_future(self._future)
