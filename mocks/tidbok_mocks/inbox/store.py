"""The mock inbox's memory: messages keyed by message id, each stored exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class MessageIn(BaseModel):
    """A message as the 1177 platform (the tidbok gateway) delivers it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(default=None, min_length=1, max_length=200)
    citizen: str = Field(min_length=10, max_length=13)
    kind: str = Field(min_length=1, max_length=50)
    unit: str = Field(min_length=1, max_length=50)
    unit_name: str = Field(max_length=200)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=5000)
    created_at: AwareDatetime


@dataclass(frozen=True)
class StoredMessage:
    """A message in a citizen's inbox."""

    id: str
    content: MessageIn
    received_at: datetime
    read: bool = False

    def view(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            **self.content.model_dump(mode="json"),
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "read": self.read,
        }


class PutOutcome(StrEnum):
    """What storing a message did."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    """The same id with the same content: already stored, nothing changed."""
    CONFLICT = "conflict"
    """The same id with other content: refused."""


class InboxStore:
    """Every citizen's messages, in arrival order."""

    def __init__(self) -> None:
        self._messages: dict[str, StoredMessage] = {}
        self.deliveries = 0
        """How many PUTs arrived, duplicates included (for tests)."""

    def put(
        self, message_id: str, content: MessageIn, now: datetime
    ) -> tuple[PutOutcome, StoredMessage]:
        """Store a message once; a second delivery of the same id changes nothing."""
        self.deliveries += 1
        normalized = content.model_copy(update={"id": message_id})
        existing = self._messages.get(message_id)
        if existing is not None:
            same = existing.content == normalized
            return (PutOutcome.DUPLICATE if same else PutOutcome.CONFLICT), existing
        stored = StoredMessage(id=message_id, content=normalized, received_at=now)
        self._messages[message_id] = stored
        return PutOutcome.CREATED, stored

    def get(self, message_id: str) -> StoredMessage | None:
        """One message by id."""
        return self._messages.get(message_id)

    def for_citizen(self, citizen: str) -> list[StoredMessage]:
        """A citizen's messages, oldest first."""
        return [m for m in self._messages.values() if m.content.citizen == citizen]

    def all(self) -> list[StoredMessage]:
        """Every message, oldest first."""
        return list(self._messages.values())

    def reset(self) -> None:
        """Forget every message."""
        self._messages.clear()
        self.deliveries = 0
