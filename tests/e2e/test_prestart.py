"""The start-up work begun at process start: same material, same cost, used by the suite."""

from __future__ import annotations

from pathlib import Path

from core.seed import DEMO_PASSWORD, DEMO_USERS
from core.service.passwords import hash_cost, verify_password
from core.settings import CoreSettings
from core.workspace import Workspace
from simulators.prestart import Prestart, prepare
from simulators.suite import Suite, SuiteOptions
from tests.e2e.conftest import TEST_KDF, TEST_SETTINGS

PRODUCT = CoreSettings()


def test_fresh_workspace_gets_demo_hashes_at_the_product_cost(tmp_path: Path) -> None:
    prepared = prepare(Workspace(tmp_path / "ws"), reset=False)
    assert set(prepared.demo_password_hashes) == {u.user_id for u in DEMO_USERS}
    for encoded in prepared.demo_password_hashes.values():
        assert hash_cost(encoded) == (PRODUCT.password_hash_log2_n, 8, 1)
        assert verify_password(DEMO_PASSWORD, encoded)
    salts = {encoded.split("$")[4] for encoded in prepared.demo_password_hashes.values()}
    assert len(salts) == len(DEMO_USERS)  # one salt per user, never shared
    assert prepared.pki.ca_file.exists()
    assert prepared.admin_token == prepared.workspace.admin_token()


def test_hash_cost_reads_only_scrypt_hashes() -> None:
    assert hash_cost("scrypt$4$8$1$00$00") == (4, 8, 1)
    assert hash_cost("bcrypt$4$8$1$00$00") is None
    assert hash_cost("scrypt$x$8$1$00$00") is None
    assert hash_cost("scrypt$4") is None


async def test_suite_stores_the_hashes_made_ahead_and_a_restart_makes_none(
    tmp_path: Path,
) -> None:
    workspace = Workspace(tmp_path / "ws")
    prestart = Prestart(workspace, reset=True)
    options = SuiteOptions(
        core_settings=PRODUCT, phone_kdf=TEST_KDF, with_phones=False
    )  # the product's cost, so the hashes made ahead are the ones stored
    suite = Suite(workspace, options=options, prestart=prestart)
    await suite.start()
    try:
        made = (await prestart.result()).demo_password_hashes
        stored = {
            u.user_id: u.password_hash for u in await suite.core.service.directory.list_users()
        }
        assert stored == made
    finally:
        await suite.stop()
    again = prepare(workspace, reset=False)
    assert again.demo_password_hashes == {}  # users exist: nothing to hash on a restart


async def test_hashes_at_another_cost_are_made_again(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    prestart = Prestart(workspace, reset=True)  # product cost; the suite runs cheap
    options = SuiteOptions(core_settings=TEST_SETTINGS, phone_kdf=TEST_KDF, with_phones=False)
    suite = Suite(workspace, options=options, prestart=prestart)
    await suite.start()
    try:
        for user in await suite.core.service.directory.list_users():
            assert user.password_hash is not None
            assert hash_cost(user.password_hash) == (TEST_SETTINGS.password_hash_log2_n, 8, 1)
    finally:
        await suite.stop()
