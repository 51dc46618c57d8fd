"""Table Storage access for both deployables: one factory, one module per table.

- :mod:`shared.storage.tables` — :class:`TableStore` (connection + tables) and error translation.
- :mod:`shared.storage.sessions` — :class:`SessionStore`, ETag-guarded session entities.
- :mod:`shared.storage.event_log` — :class:`EventLog` (insert-only, gap-free).
- :mod:`shared.storage.event_writer` — :class:`EventLogWriter` (buffered per-session writer on top
  of the log; it imports the log, never the other way round).
- :mod:`shared.storage.mediahosts` — :class:`MediaHostRegistry`.
"""

from shared.storage.event_log import AppendInterrupted, EventLog
from shared.storage.event_writer import EventLogWriter
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
