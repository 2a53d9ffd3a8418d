"""Files PushSim creates are owner-only or read-only to others, whatever the umask.

The workspace holds private keys, password hashes and the admin token; its
certificates decide whom the clients trust. A ``umask 000`` shell must not turn
any of them world-writable (issue: "files created with explicit modes
regardless of umask"). The suite is started in a child process so the umask
change does not leak into the test runner.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

START_UNDER_UMASK_000 = """
import asyncio, os, sys
from dataclasses import replace
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from simulators.phone import KdfParams
from simulators.suite import Suite, SuiteOptions

os.umask(0)
async def main() -> None:
    options = SuiteOptions(core_settings=FAST_TEST_SETTINGS, phone_kdf=KdfParams(n=2**4))
    suite = Suite(Workspace(__import__("pathlib").Path(sys.argv[1])), options=options)
    await suite.start()
    await suite.stop()
asyncio.run(main())
"""

# Files anyone may read (certificates); everything else is owner-only.
PUBLIC_SUFFIXES = ("ca.pem", "server.pem", "apns-client-cert.pem")


def test_umask_000_yields_owner_only_files(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    subprocess.run([sys.executable, "-c", START_UNDER_UMASK_000, str(root)], check=True)

    paths = [root, *root.rglob("*")]
    assert len(paths) > 10, "the suite should have written its workspace"
    seen_public = []
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, f"{path} is {oct(mode)}"
        elif path.name.endswith(PUBLIC_SUFFIXES):
            assert mode == 0o644, f"{path} is {oct(mode)}"
            seen_public.append(path.name)
        else:
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    assert "ca.pem" in seen_public
