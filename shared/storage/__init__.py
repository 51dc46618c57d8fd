"""Table Storage access for both deployables: one factory, one module per table.

- :mod:`shared.storage.tables` — :class:`TableStore` (connection + tables) and error translation.
- :mod:`shared.storage.sessions` — :class:`SessionStore`, ETag-guarded session entities.
- :mod:`shared.storage.event_log` — :class:`EventLog` (insert-only, gap-free) and
  :class:`EventLogWriter` (buffered per-session writer).
- :mod:`shared.storage.mediahosts` — :class:`MediaHostRegistry`.
"""

from shared.storage.event_log import AppendInterrupted, EventLog, EventLogWriter
from shared.storage.mediahosts import MediaHostRecord, MediaHostRegistry
from shared.storage.sessions import SessionRecord, SessionStore
from shared.storage.tables import TableStore, storage_errors

__all__ = [
    "AppendInterrupted",
    "EventLog",
    "EventLogWriter",
    "MediaHostRecord",
    "MediaHostRegistry",
    "SessionRecord",
    "SessionStore",
    "TableStore",
    "storage_errors",
]
