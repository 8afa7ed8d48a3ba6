"""Inbox messages in Swedish for the citizen's booking activities (R10)."""

from __future__ import annotations

import uuid
from datetime import datetime

from tidbok.clock import to_stockholm
from tidbok.events import ActivityKind, BookingActivity
from tidbok.gateway.store import OutboxMessage

_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def swedish_time(moment: datetime) -> str:
    """``tisdag 8 december 2026 kl. 10:00`` in Stockholm time."""
    local = to_stockholm(moment)
    weekday = _WEEKDAYS[local.weekday()]
    month = _MONTHS[local.month - 1]
    return f"{weekday} {local.day} {month} {local.year} kl. {local:%H:%M}"


def compose(activity: BookingActivity) -> tuple[str, str]:
    """Subject and body of the inbox message for one activity."""
    what = activity.time_type_name
    where = activity.unit_name
    when = swedish_time(activity.start)
    match activity.kind:
        case ActivityKind.BOOKED:
            subject = f"Bokad tid: {what}"
            body = f"Du har bokat en tid för {what} hos {where} {when}."
        case ActivityKind.INVITATION_BOOKED:
            subject = f"Bokad tid från kallelse: {what}"
            body = f"Du har bokat en tid från din kallelse: {what} hos {where} {when}."
        case ActivityKind.REBOOKED:
            subject = f"Ombokad tid: {what}"
            before = (
                swedish_time(activity.previous_start)
                if activity.previous_start is not None
                else "din tidigare tid"
            )
            body = f"Din tid {before} hos {where} är ombokad. Din nya tid är {when}."
        case ActivityKind.CANCELLED:
            subject = f"Avbokad tid: {what}"
            body = f"Din tid för {what} hos {where} {when} är avbokad."
            if activity.message:
                body += f" Ditt meddelande till mottagningen: ”{activity.message}”"
    if activity.agent_id is not None:
        body += " Ändringen gjordes av 1177 Vårdguiden för din räkning."
    return subject, body


def message_for(activity: BookingActivity) -> OutboxMessage:
    """The outbox message for one activity.

    Its id is the id of the intent that announced the activity, so the activity can never get two
    messages however often it is recorded; an activity without an intent gets a fresh id.
    """
    subject, body = compose(activity)
    return OutboxMessage(
        id=activity.intent_id or uuid.uuid4().hex,
        citizen=activity.subject_of_care.value,
        kind=activity.kind.value,
        unit=activity.unit,
        unit_name=activity.unit_name,
        subject=subject,
        body=body,
        created_at=activity.occurred_at,
    )
