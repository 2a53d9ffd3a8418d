"""Dataclasses built from one another by field name, and the push app's fields.

``copied`` builds a dataclass from any object whose attributes share its
field names; ``PushApp`` is the push app as SPEC §2.1 describes it, the one
set of fields both the store (``PushAppRecord``) and the push layer
(``PushAppConfig``) extend, since neither may import the other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def copied(cls: type[T], source: object, **values: Any) -> T:
    """``cls`` with ``values``, every other field copied from ``source``'s attribute of its name.

    A field without a default must be on ``source`` (AttributeError otherwise); one with
    a default keeps it where ``source`` has no such attribute.
    """
    for field in dataclasses.fields(cls):
        if not field.init or field.name in values:
            continue
        required = field.default is dataclasses.MISSING is field.default_factory
        if required or hasattr(source, field.name):
            values[field.name] = getattr(source, field.name)
    return cls(**values)


@dataclass(frozen=True, kw_only=True)
class PushApp:
    app_id: str
    platform: str  # android | ios
    fcm_project_id: str | None = None
    fcm_service_account: str | None = None
    fcm_legacy_server_key: str | None = None
    apns_auth: str | None = None  # token | certificate
    apns_key_pem: str | None = None
    apns_key_id: str | None = None
    apns_team_id: str | None = None
    apns_cert_pem: str | None = None
    apns_bundle_id: str | None = None
    apns_environment: str = "sandbox"
    endpoint: str | None = None
    token_uri: str | None = None

    @property
    def apns_topic(self) -> str:
        """SPEC §2.1: without a Bundle ID, the app ID is the Bundle ID."""
        return self.apns_bundle_id or self.app_id
