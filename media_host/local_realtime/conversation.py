"""The conversation of one session: items in order (bounded), creation, truncation, deletion."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from media_host.local_realtime.audio import BYTES_PER_MS
from media_host.local_realtime.errors import ProtocolError, error_event, invalid_value, new_id
from media_host.local_realtime.responses import ResponseState, server_event
from media_host.local_realtime.session_config import ITEM_SCHEMA


@dataclass
class ConversationItem:
    """A stored item in GA shape; ``response`` is set for assistant items this engine spoke."""

    item: dict[str, Any]
    response: ResponseState | None = None


class Conversation:
    """Items of the default conversation, oldest first; the oldest are forgotten beyond a bound.

    Args:
        max_items: Items kept.
    """

    def __init__(self, max_items: int) -> None:
        self._max_items = max_items
        self._items: OrderedDict[str, ConversationItem] = OrderedDict()

    def last_item_id(self) -> str | None:
        """Id of the newest item (the ``previous_item_id`` of the next one), or None."""
        return next(reversed(self._items)) if self._items else None

    def add(self, record: ConversationItem) -> None:
        """Append (or replace) an item."""
        self._items[record.item["id"]] = record
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)

    def get(self, item_id: str) -> ConversationItem | None:
        """The item, or None if unknown/forgotten."""
        return self._items.get(item_id)

    def find(self, item_id: str) -> ConversationItem:
        """The item, or a ProtocolError naming ``item_id``."""
        record = self._items.get(item_id)
        if record is None:
            raise ProtocolError(
                f"Conversation item with id '{item_id}' not found.", "item_not_found", "item_id"
            )
        return record

    def user_audio_item(self, item_id: str) -> dict[str, Any]:
        """Store a committed user audio turn and return its GA item."""
        item = {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self.add(ConversationItem(item))
        return item

    def create(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Handle ``conversation.item.create``: validate, store, announce added/done."""
        item: dict[str, Any] = ITEM_SCHEMA(event["item"], "item")
        previous = event.get("previous_item_id")
        if previous is not None and previous != "root" and previous not in self._items:
            raise ProtocolError(
                f"Previous item with id '{previous}' not found.",
                "invalid_value",
                "previous_item_id",
            )
        if item["type"] == "item_reference":
            raise invalid_value(
                "item_reference", ["message", "function_call", "function_call_output"], "item.type"
            )
        item_id = item.get("id") or new_id("item")
        if item_id in self._items:
            raise ProtocolError(
                f"Item with id '{item_id}' already exists.", "invalid_value", "item.id"
            )
        stored = {key: value for key, value in item.items() if key != "object"}
        stored["id"] = item_id
        stored["status"] = "completed"
        if stored["type"] == "message":  # audio bytes are not kept (memory bound)
            stored["content"] = [
                {k: v for k, v in part.items() if k != "audio"} for part in stored["content"]
            ]
        reported_previous = previous if previous is not None else self.last_item_id()
        self.add(ConversationItem(stored))
        return [
            server_event(
                "conversation.item.added", previous_item_id=reported_previous, item=stored
            ),
            server_event("conversation.item.done", previous_item_id=reported_previous, item=stored),
        ]

    def delete(self, item_id: str) -> list[dict[str, Any]]:
        """Handle ``conversation.item.delete``."""
        self.find(item_id)
        del self._items[item_id]
        return [server_event("conversation.item.deleted", item_id=item_id)]

    def retrieve(self, item_id: str) -> list[dict[str, Any]]:
        """Handle ``conversation.item.retrieve`` (no audio bytes are returned)."""
        return [server_event("conversation.item.retrieved", item=self.find(item_id).item)]

    def truncate(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Handle ``conversation.item.truncate`` (``audio_end_ms`` is relative to the item).

        An overshoot is reported with the hosted service's error text and then still truncated
        at the real length, as a 2026 GA trace shows.
        """
        record = self.find(event["item_id"])
        response = record.response
        if response is None or response.modality != "audio":
            raise ProtocolError(
                "Only assistant messages with audio content can be truncated.",
                "invalid_value",
                "item_id",
            )
        if event["content_index"] != 0:
            raise ProtocolError(
                f"Invalid 'content_index': no content part at index {event['content_index']}.",
                "invalid_value",
                "content_index",
            )
        requested = event["audio_end_ms"]
        available = response.audio_bytes // BYTES_PER_MS
        outputs: list[dict[str, Any]] = []
        if requested > available:
            outputs.append(
                error_event(
                    ProtocolError(
                        f"Audio content of {available}ms is already shorter than {requested}ms"
                    ),
                    event.get("event_id"),
                )
            )
        end_ms = min(requested, available)
        response.truncate(end_ms)
        if record.item.get("content"):
            record.item["content"][0]["transcript"] = response.transcript
        outputs.append(
            server_event(
                "conversation.item.truncated",
                item_id=event["item_id"],
                content_index=0,
                audio_end_ms=end_ms,
            )
        )
        return outputs
