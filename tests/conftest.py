"""Test-wide settings: Qt offscreen, hypothesis profile, no writes to the user's config."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the window remembers theme and geometry; tests must not touch the real file
os.environ["PUSHSIM_CONFIG_DIR"] = tempfile.mkdtemp(prefix="pushsim-config-")

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pushsim",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("pushsim")
