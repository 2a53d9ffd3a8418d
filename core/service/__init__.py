"""The core's use cases behind one façade: ``from core.service import CoreService``.

Modules are named for use cases (login, dispatch, responses, activation,
sessions, directory, passwords); ``lifecycle`` is the one place a session is
decided, ``context`` what they all share, ``unit`` the journal of one operation,
``errors`` the service's error family.
"""

from core.service.facade import CoreService

__all__ = ["CoreService"]
