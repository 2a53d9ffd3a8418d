"""Who is speaking: the device's request signature and the hash of a one-time challengeKey.

Both the activation use cases (push registration) and the response use cases
(polling, fetching) need these, so they live in neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.signature import verify_signature
from core.service.context import ServiceContext
from core.service.errors import NotFound, Unauthorized
from core.storage import Repositories
from core.storage.records import AuthenticatorRecord

__all__ = ["challenge_key_hash", "check_device_signature", "signed_authenticator"]


def challenge_key_hash(key: str) -> str:
    """Sessions store only a hash of the one-time challengeKey (a bearer secret)."""
    return hashlib.sha256(key.encode()).hexdigest()


def check_device_signature(
    ctx: ServiceContext,
    authenticator: AuthenticatorRecord,
    *,
    purpose: str,
    fields: Mapping[str, object],
    time: float,
    signature: str,
) -> None:
    """A device-signed request: fresh time and a signature by the device instance key."""
    if abs(time - ctx.clock.now()) > ctx.settings.signed_request_skew:
        raise Unauthorized("request time too far from server time")
    keys = AuthenticatorKeys.from_dict(dict(authenticator.keys))
    signed = {**fields, "purpose": purpose, "serialNumber": authenticator.serial, "time": time}
    if not verify_signature(keys.instance_keys[UnlockProtection.DEVICE], signed, signature):
        raise Unauthorized("device signature does not verify")


async def signed_authenticator(
    ctx: ServiceContext,
    tx: Repositories,
    serial: str,
    *,
    purpose: str,
    fields: Mapping[str, object],
    time: float,
    signature: str,
) -> AuthenticatorRecord:
    """The authenticator a device-signed request names, once its signature verifies."""
    authenticator = await tx.authenticators.get(serial)
    if authenticator is None:
        raise NotFound(f"unknown authenticator {serial}")
    check_device_signature(
        ctx, authenticator, purpose=purpose, fields=fields, time=time, signature=signature
    )
    return authenticator
