"""PMO's half of the admin API: booking types with e-service flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..kit import ScheduleAdmin, Slot, SlotIn, TimeTypeIn
from .demo import demo_scenario
from .model import PmoBookingType, PmoState
from .oauth import TOKEN_PATH


class PmoBookingTypeIn(TimeTypeIn):
    """A booking type with e-service flags: ``visible``, ``bookable``, ``cancellable``."""

    visible: bool = True
    bookable: bool = True
    cancellable: bool = True


class PmoAdmin(ScheduleAdmin[PmoBookingType, Slot]):
    """Admin backend of the PMO mock."""

    time_type_model = PmoBookingTypeIn

    def __init__(self, state: PmoState, api_base: str) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
        self.api_base = api_base

    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> PmoBookingType:
        """A booking type from admin input."""
        assert isinstance(data, PmoBookingTypeIn)
        return PmoBookingType(
            **self.time_type_fields(data, time_type_id),
            visible=data.visible,
            bookable=data.bookable,
            cancellable=data.cancellable,
        )

    def build_slot(
        self,
        data: SlotIn,
        slot_id: str,
        start: datetime,
        end: datetime,
        time_type: PmoBookingType,
    ) -> Slot:
        """A slot from admin input."""
        return Slot(**self.slot_fields(data, slot_id, start, end, time_type.id))

    def time_type_extra(self, time_type: PmoBookingType) -> dict[str, Any]:
        """The e-service flags."""
        return {
            "visible": time_type.visible,
            "bookable": time_type.bookable,
            "cancellable": time_type.cancellable,
        }

    def clear_extra(self) -> None:
        """Forget stored idempotency keys (issued tokens stay valid)."""
        self.state.idempotency.clear()

    def demo_scenario(self) -> dict[str, Any]:
        """PMO demo data for the coming week."""
        return demo_scenario(self.clock.today())

    def info(self) -> dict[str, Any]:
        """System, API base and the OAuth client credentials."""
        return {
            "system": "pmo",
            "api_base": self.api_base,
            "auth": {
                "type": "oauth2-client-credentials",
                "token_path": TOKEN_PATH,
                "clients": dict(self.state.clients),
                "token_lifetime": self.state.token_lifetime,
            },
        }
