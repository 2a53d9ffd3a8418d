"""What a phone is: its platform and the authenticator app installed on it.

Android apps are known to FCM by project and app ID; iOS apps to APNs by bundle
ID and environment. The app ID (Android) or bundle ID (iOS) is also what the
app tells the core in its notification registration, and what the core's push
app configuration is stored under.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEMO_FCM_PROJECT = "pushsim-demo"
DEMO_ANDROID_APP_ID = "com.pushsim.authenticator"
DEMO_IOS_BUNDLE_ID = "com.pushsim.sdkdemo"


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"

    @property
    def push_service(self) -> str:
        return "fcm" if self is Platform.ANDROID else "apns"


class AppKind(StrEnum):
    AUTHENTICATOR = "authenticator"  # keyword + static password style
    SDK = "sdk"  # NoPIN / PIN / Fingerprint keywords


class ApnsEnvironment(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


@dataclass(frozen=True, kw_only=True)
class AppInfo:
    """The authenticator app: its kind and the ids the push services know it by."""

    kind: AppKind
    app_id: str  # Android application ID, or the iOS bundle ID
    fcm_project_id: str = DEMO_FCM_PROJECT
    apns_environment: ApnsEnvironment = ApnsEnvironment.SANDBOX

    def __post_init__(self) -> None:
        if not self.app_id or any(ch.isspace() for ch in self.app_id):
            raise ValueError(f"app ID {self.app_id!r} must be non-empty without spaces")

    @classmethod
    def demo(cls, platform: Platform, kind: AppKind | None = None) -> AppInfo:
        """The demo app for a platform (Android: Authenticator, iOS: SDK app)."""
        if platform is Platform.ANDROID:
            return cls(kind=kind or AppKind.AUTHENTICATOR, app_id=DEMO_ANDROID_APP_ID)
        return cls(kind=kind or AppKind.SDK, app_id=DEMO_IOS_BUNDLE_ID)
