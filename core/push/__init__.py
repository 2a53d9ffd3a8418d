"""Push dispatch: one transport interface, FCM HTTP v1 and APNs senders, bounded retries."""

from core.push.dispatcher import DispatchResult, PushConfigError, PushDispatcher
from core.push.endpoints import ProviderEndpoints
from core.push.transport import PushAttempt, PushNotification, PushOutcome, PushTransport

__all__ = [
    "DispatchResult",
    "ProviderEndpoints",
    "PushAttempt",
    "PushConfigError",
    "PushDispatcher",
    "PushNotification",
    "PushOutcome",
    "PushTransport",
]
