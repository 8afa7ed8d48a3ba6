"""A mock of the 1177 inbox service: stores each message once by id, lists them per citizen.

Start it in-process with :func:`running_inbox` or run ``python -m tidbok_mocks.inbox``.
"""

from .app import InboxState, create_inbox_app
from .server import InboxServer, main, running_inbox
from .store import InboxStore, MessageIn, StoredMessage

__all__ = [
    "InboxServer",
    "InboxState",
    "InboxStore",
    "MessageIn",
    "StoredMessage",
    "create_inbox_app",
    "main",
    "running_inbox",
]
