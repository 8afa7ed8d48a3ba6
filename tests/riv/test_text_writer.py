"""The answers' text writer (tidbok.crm.xml.write_text) writes what the generic lxml writer writes,
byte for byte, for every response type: generated values with absent optional children, text
that needs escaping, non-ASCII, both daylight-saving changes; and falls back to the generic
writer (and its errors) for what it cannot write.

Values are generated from the same ``CHILDREN`` tables with a seeded random generator, so the
run is the same every time and takes a fraction of a second.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import xmlschema
from lxml import etree

from tidbok.clock import STOCKHOLM
from tidbok.crm.envelope import read_response, write_response, write_response_tree
from tidbok.crm.messages import (
    MESSAGES,
    RESULT_CODE,
    GetAvailableTimeslotsResponse,
    ResultCode,
)
from tidbok.crm.namespaces import OPERATIONS, SOAP_ENV
from tidbok.crm.types import ACTOR_TYPE, ActorType, TimeslotType
from tidbok.crm.wsdl import SCHEMA_DIR
from tidbok.crm.xml import BOOL, DT, SUBJECT, TEXT, TS, Child, WireError, XmlType

#: Pieces of text: plain, the four characters libxml2 escapes, quotes, whitespace, non-ASCII
#: (two-, three- and four-byte UTF-8, a line separator, a C1 control that XML allows).
PIECES = ["Tensta", "Rum 4", "&", "<", ">", '"', "'", "\r", "\n", "\t", " ", "å", "Ö", "é",
          "☃", "\U0001f600", "\u2028", "\x85", "\x7f", "]]>", "&amp;", "Dr Berg"]  # fmt: skip

#: Instants around both daylight-saving changes of 2026 (29 March, 25 October) and ordinary ones.
DST_INSTANTS = [
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 01:30 CET, just before the spring gap
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST, just after it
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, first pass of the repeated hour
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, second pass
    datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM, fold=1),
    datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM),
    datetime(2026, 7, 1, 23, 59, 59, tzinfo=STOCKHOLM),
]


def text(rng: random.Random) -> str:
    """Between one and five pieces joined."""
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 5)))


def simple_value(rng: random.Random, child: Child) -> Any:
    """A value of ``child``'s codec; optional text is sometimes empty (writes nothing)."""
    kind = child.kind
    if kind is TS:
        return rng.choice(DST_INSTANTS) + timedelta(minutes=rng.choice([0, 0, 15, 45, 24 * 60]))
    if kind is DT:
        return date(2026, rng.choice([3, 10, 12]), rng.randint(1, 28))
    if kind is BOOL:
        return rng.random() < 0.5
    if kind is SUBJECT:
        return rng.choice(["191212121212", "197001010101", "19121212T212"])
    if kind is RESULT_CODE:
        return rng.choice(list(ResultCode))
    if kind is ACTOR_TYPE:
        return rng.choice(list(ActorType))
    assert kind is TEXT, child
    return "" if not child.required and rng.random() < 0.1 else text(rng)


def value_of(rng: random.Random, kind: type[XmlType], absent: float = 0.5) -> Any:
    """A value of ``kind`` with each optional child absent with probability ``absent``."""
    values: dict[str, Any] = {}
    for child in kind.CHILDREN:
        if child.many:
            values[child.attr] = tuple(one(rng, child) for _ in range(rng.randint(0, 3)))
        elif child.required or rng.random() >= absent:
            values[child.attr] = one(rng, child)
    return kind(**values)


def one(rng: random.Random, child: Child) -> Any:
    """One value of ``child``."""
    if isinstance(child.kind, type):
        return value_of(rng, child.kind)
    return simple_value(rng, child)


def free_slots(rng: random.Random, count: int) -> GetAvailableTimeslotsResponse:
    """A GetAvailableTimeslots answer as the producer writes it: timed, no citizen fields."""
    slots = []
    for _ in range(count):
        timeslot = value_of(rng, TimeslotType, absent=rng.choice([0.2, 0.6, 0.9]))
        start = rng.choice(DST_INSTANTS)
        slots.append(
            replace(
                timeslot,
                startTimeInclusive=start,
                endTimeExclusive=start + timedelta(minutes=30),
                healthcare_facility="U" + text(rng),
                subject_of_care=None,
                isInvitation=None,
            )
        )
    return GetAvailableTimeslotsResponse(timeslotDetail=tuple(slots))


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_answer_is_written_byte_for_byte_as_the_generic_writer_does(operation: str) -> None:
    rng = random.Random(operation)
    response = MESSAGES[operation].response
    for _ in range(60):
        message = value_of(rng, response)
        assert write_response(OPERATIONS[operation], message) == write_response_tree(
            OPERATIONS[operation], message
        )


def test_available_timeslots_are_written_byte_for_byte_as_the_generic_writer_does() -> None:
    rng = random.Random(13)
    operation = OPERATIONS["GetAvailableTimeslots"]
    for count in [0, 1, 2, 5, 68, *(rng.randint(0, 40) for _ in range(40))]:
        message = free_slots(rng, count)
        fast = write_response(operation, message)
        assert fast == write_response_tree(operation, message)
        answer = read_response(operation, fast)
        assert isinstance(answer, GetAvailableTimeslotsResponse)
        assert len(answer.timeslotDetail) == count


def test_escaping_and_non_ascii_are_written_as_libxml2_does() -> None:
    operation = OPERATIONS["GetAvailableTimeslots"]
    start = datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM)
    slot = TimeslotType(
        startTimeInclusive=start,
        endTimeExclusive=start + timedelta(hours=1),
        healthcare_facility="SE2321000016-1001",
        healthcare_facility_name='Vård & "omsorg" <Tensta>\r\n',
        timeTypeName="☃\U0001f600",
    )
    answer = write_response(operation, GetAvailableTimeslotsResponse(timeslotDetail=(slot,)))
    assert answer.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<soapenv:Envelope ")
    assert (
        '<c:healthcare_facility_name>Vård &amp; "omsorg" &lt;Tensta&gt;&#13;\n'
        "</c:healthcare_facility_name>".encode()
    ) in answer
    assert "<c:timeTypeName>☃\U0001f600</c:timeTypeName>".encode() in answer
    assert b"<c:startTimeInclusive>20261025023000</c:startTimeInclusive>" in answer
    assert b"<r:GetAvailableTimeslotsResponse/>" in write_response(
        operation, GetAvailableTimeslotsResponse()
    )


def test_available_timeslots_answers_validate_against_our_schemas() -> None:
    rng = random.Random(17)
    responder = xmlschema.XMLSchema(str(SCHEMA_DIR / "GetAvailableTimeslotsResponder_1.1.xsd"))
    for count in [0, 3, 30]:
        answer = write_response(OPERATIONS["GetAvailableTimeslots"], free_slots(rng, count))
        body = etree.fromstring(answer).find(f"{{{SOAP_ENV}}}Body")
        assert body is not None
        responder.validate(body[0])


def test_what_the_fast_writer_cannot_write_fails_as_the_generic_writer_does() -> None:
    operation = OPERATIONS["GetAvailableTimeslots"]
    start = datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM)
    control = TimeslotType(
        startTimeInclusive=start, healthcare_facility="U1", timeTypeName="bell \x07"
    )
    with pytest.raises(ValueError, match="XML compatible"):
        write_response(operation, GetAvailableTimeslotsResponse(timeslotDetail=(control,)))
    no_unit = TimeslotType(startTimeInclusive=start, healthcare_facility="")
    with pytest.raises(WireError, match="healthcare_facility may not be empty"):
        write_response(operation, GetAvailableTimeslotsResponse(timeslotDetail=(no_unit,)))
