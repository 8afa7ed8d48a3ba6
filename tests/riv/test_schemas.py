"""The crm:scheduling 1.1 XSDs and WSDLs tidbok serves (``tidbok.crm.wsdl``, ``schemas/``).

The schemas were written from ``shared/crm-scheduling.md``; these tests hold them to the facts with
hand-written messages: valid ones (realistic ids and timestamps, the 1.1 namespaces where the
contract puts them) must validate, and the traps the fact sheet lists (§10: anchored personnummer,
element order, extra elements, 12-digit timestamps) must be refused. zeep must load every WSDL,
from the files and from the rewritten, served URLs. No network.
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
import xmlschema
import zeep
from aiohttp import web
from lxml import etree
from xmlschema.validators import XsdComplexType, XsdGroup

from tidbok.crm.namespaces import (
    CORE,
    CORE_11,
    EXTENDED_OPERATIONS,
    HEADERS,
    OPERATION_NAMES,
    OPERATIONS,
    REGISTRY,
)
from tidbok.crm.wsdl import SCHEMA_DIR, schema_document, schema_names, wsdl_document, wsdl_name

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
NS = {"xs": XS, "wsdl": WSDL, "soap": SOAP}

UNIT = "SE2321000016-1hz5"
PERFORMER = "SE2321000016-1p3x"
CITIZEN = "191212121212"


@cache
def schema(name: str) -> xmlschema.XMLSchema:
    """One schema of the folder, loaded (and UPA-checked) by xmlschema from the local files."""
    return xmlschema.XMLSchema(str(SCHEMA_DIR / name))


def strings(node: Any, path: str) -> list[str]:
    """The attribute values an XPath selects."""
    return [str(value) for value in cast(list[Any], node.xpath(path, namespaces=NS))]


def nodes(node: Any, path: str) -> list[etree._Element]:
    """The elements an XPath selects."""
    return cast(list[etree._Element], node.xpath(path, namespaces=NS))


def responder(operation: str) -> xmlschema.XMLSchema:
    """The responder schema of an operation."""
    return schema(f"{operation}Responder_1.1.xsd")


def errors(xsd: xmlschema.XMLSchema, xml: str) -> list[str]:
    """The validation errors of a message (empty when valid)."""
    return [str(error.reason) for error in xsd.iter_errors(xml)]


def assert_valid(xsd: xmlschema.XMLSchema, xml: str) -> None:
    """The message validates; otherwise the first reason is shown."""
    found = errors(xsd, xml)
    assert not found, found[0]


def assert_refused(xsd: xmlschema.XMLSchema, xml: str) -> None:
    """The message does not validate."""
    assert not xsd.is_valid(xml)


# --- sample messages ------------------------------------------------------------------------

TIMESLOTS_RESPONSE = f"""
<GetAvailableTimeslotsResponse
    xmlns="urn:riv:crm:scheduling:GetAvailableTimeslotsResponder:1"
    xmlns:core="urn:riv:crm:scheduling:1">
  <timeslotDetail>
    <core:startTimeInclusive>20261208093000</core:startTimeInclusive>
    <core:endTimeExclusive>20261208094500</core:endTimeExclusive>
    <core:healthcare_facility>{UNIT}</core:healthcare_facility>
    <core:performer>{PERFORMER}</core:performer>
    <core:resourceName>Mottagning 3</core:resourceName>
    <core:healthcare_facility_name>Vårdcentralen Tidbok</core:healthcare_facility_name>
    <core:performerName>Dr Anna Läkare</core:performerName>
    <core:resourceID>R3</core:resourceID>
    <core:timeTypeName>Provtagning</core:timeTypeName>
    <core:timeTypeID>TT1</core:timeTypeID>
    <core:cancel_booking_allowed>true</core:cancel_booking_allowed>
    <core:rebooking_allowed>true</core:rebooking_allowed>
    <core:message_allowed>false</core:message_allowed>
  </timeslotDetail>
</GetAvailableTimeslotsResponse>
"""

BOOKING_DETAILS_RESPONSE = f"""
<r:GetBookingDetailsResponse xmlns:r="urn:riv:crm:scheduling:GetBookingDetailsResponder:1"
    xmlns:c="urn:riv:crm:scheduling:1" xmlns:c11="urn:riv:crm:scheduling:1.1">
  <r:timeslotDetail>
    <c:healthcare_facility>{UNIT}</c:healthcare_facility>
    <c:bookingId>B-4711</c:bookingId>
    <c:subject_of_care>{CITIZEN}</c:subject_of_care>
    <c:purpose>Dags för vaccination</c:purpose>
    <c:cancel_booking_allowed>false</c:cancel_booking_allowed>
    <c:rebooking_allowed>true</c:rebooking_allowed>
    <c:message_allowed>false</c:message_allowed>
    <c11:isInvitation>true</c11:isInvitation>
  </r:timeslotDetail>
</r:GetBookingDetailsResponse>
"""

MAKE_BOOKING = f"""
<mb:MakeBooking xmlns:mb="urn:riv:crm:scheduling:MakeBookingResponder:1"
    xmlns:core="urn:riv:crm:scheduling:1" xmlns:n="urn:riv:crm:scheduling:1.1">
  <mb:healthcare_facility_med>{UNIT}</mb:healthcare_facility_med>
  <mb:requestedTimeslot>
    <core:startTimeInclusive>20261208093000</core:startTimeInclusive>
    <core:endTimeExclusive>20261208094500</core:endTimeExclusive>
    <core:healthcare_facility>{UNIT}</core:healthcare_facility>
    <core:subject_of_care>{CITIZEN}</core:subject_of_care>
    <core:reason>Influensavaccination</core:reason>
    <core:timeTypeID>TT1</core:timeTypeID>
  </mb:requestedTimeslot>
  <mb:subject_of_care_info>
    <core:phone>0701234567</core:phone>
    <core:email>tolvan@example.se</core:email>
    <n:firstName>Tolvan</n:firstName>
    <n:middleName>Tolvsdotter</n:middleName>
    <n:lastName>Tolvansson</n:lastName>
  </mb:subject_of_care_info>
  <mb:notification>sms</mb:notification>
</mb:MakeBooking>
"""

MAKE_BOOKING_RESPONSE = """
<MakeBookingResponse xmlns="urn:riv:crm:scheduling:MakeBookingResponder:1">
  <bookingId>B-4711</bookingId>
  <resultCode>INFO</resultCode>
  <resultText>Kom fastande.</resultText>
</MakeBookingResponse>
"""

AVAILABLE_DATES = f"""
<GetAvailableDates xmlns="urn:riv:crm:scheduling:GetAvailableDatesResponder:1"
    xmlns:r11="urn:riv:crm:scheduling:GetAvailableDatesResponder:1.1">
  <healthcare_facility>{UNIT}</healthcare_facility>
  <startDateInclusive>20261201</startDateInclusive>
  <endDateInclusive>20261231</endDateInclusive>
  <performer>{PERFORMER}</performer>
  <timeTypeID>TT1</timeTypeID>
  <r11:subject_of_care>{CITIZEN}</r11:subject_of_care>
</GetAvailableDates>
"""

AVAILABLE_DATES_RESPONSE = f"""
<GetAvailableDatesResponse xmlns="urn:riv:crm:scheduling:GetAvailableDatesResponder:1">
  <performerAvailabilityByDate>
    <healthcare_facility>{UNIT}</healthcare_facility>
    <performer>{PERFORMER}</performer>
    <date>20261208</date>
    <timeTypeID>TT1</timeTypeID>
    <careTypeID>CT9</careTypeID>
  </performerAvailabilityByDate>
</GetAvailableDatesResponse>
"""

ALL_TIME_TYPES = f"""
<r:GetAllTimeTypes xmlns:r="urn:riv:crm:scheduling:GetAllTimeTypesResponder:1"
    xmlns:r11="urn:riv:crm:scheduling:GetAllTimeTypesResponder:1.1">
  <r:healthcare_facility>{UNIT}</r:healthcare_facility>
  <r11:careTypeIDs>CT1</r11:careTypeIDs>
  <r11:careTypeIDs>CT2</r11:careTypeIDs>
  <r11:subject_of_care>{CITIZEN}</r11:subject_of_care>
</r:GetAllTimeTypes>
"""

ALL_PERFORMERS_RESPONSE = f"""
<r:GetAllPerformersResponse xmlns:r="urn:riv:crm:scheduling:GetAllPerformersResponder:1"
    xmlns:c="urn:riv:crm:scheduling:1">
  <r:performerInfos>
    <c:perfomer>{PERFORMER}</c:perfomer>
    <c:firstName>Anna</c:firstName>
    <c:lastName>Läkare</c:lastName>
    <c:title>Distriktsläkare</c:title>
  </r:performerInfos>
</r:GetAllPerformersResponse>
"""

ACTOR = f"""
<ih:Actor xmlns:ih="urn:riv:interoperability:headers:1">
  <ih:actorId>{CITIZEN}</ih:actorId>
  <ih:actorType>subject_of_care</ih:actorType>
</ih:Actor>
"""

LOGICAL_ADDRESS = f"""
<itr:LogicalAddress xmlns:itr="urn:riv:itintegration:registry:1">{UNIT}</itr:LogicalAddress>
"""

PROCESSING_STATUS = f"""
<ProcessingStatus xmlns="urn:riv:interoperability:headers:1">
  <ProcessingStatusList>
    <logicalAddress>{UNIT}</logicalAddress>
    <statusCode>NoDataSynchFailed</statusCode>
    <isResponseFromCache>false</isResponseFromCache>
    <isResponseInSynch>false</isResponseInSynch>
    <lastSuccessfulSynch>20261207120000</lastSuccessfulSynch>
    <lastUnsuccessfulSynchError>
      <causingAgent>virtualization_platform</causingAgent>
      <code>VP004</code>
      <text>No Logical Adress found</text>
    </lastUnsuccessfulSynchError>
  </ProcessingStatusList>
</ProcessingStatus>
"""


def schedule_request(citizen: str) -> str:
    """A GetSubjectOfCareSchedule request for one citizen id."""
    return f"""
<GetSubjectOfCareSchedule xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">
  <healthcare_facility>{UNIT}</healthcare_facility>
  <subject_of_care>{citizen}</subject_of_care>
</GetSubjectOfCareSchedule>
"""


# --- the files ------------------------------------------------------------------------------


def test_the_folder_holds_the_shared_schemas_and_one_responder_and_wsdl_per_operation() -> None:
    names = set(schema_names())
    assert {
        "crm_scheduling_1.1.xsd",
        "crm_scheduling_1.1_ext.xsd",
        "interoperability_headers_1.0.xsd",
        "itintegration_registry_1.0.xsd",
    } <= names
    for operation in OPERATION_NAMES:
        assert f"{operation}Responder_1.1.xsd" in names
        assert (f"{operation}Responder_1.1_ext.xsd" in names) == (operation in EXTENDED_OPERATIONS)
        assert (SCHEMA_DIR / wsdl_name(operation)).is_file()
    assert len(names) == 4 + len(OPERATION_NAMES) + len(EXTENDED_OPERATIONS)
    assert len(list(SCHEMA_DIR.glob("*.wsdl"))) == len(OPERATION_NAMES)


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.iterdir()), ids=lambda path: path.name)
def test_every_file_says_it_was_written_from_the_facts(path: Path) -> None:
    head = path.read_text(encoding="utf-8")[:600]
    assert "shared/crm-scheduling.md" in head
    assert "not a copy" in head


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.iterdir()), ids=lambda path: path.name)
def test_schema_locations_are_bare_names_of_the_folder(path: Path) -> None:
    tree = etree.parse(str(path))
    locations = strings(tree, "//xs:*/@schemaLocation")
    assert locations or path.name.startswith(("crm_scheduling_1.1_ext", "inter", "itint"))
    for location in locations:
        assert location in schema_names()


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_loads_offline_with_both_validators(name: str) -> None:
    schema(name)  # xmlschema also checks Unique Particle Attribution (XSD 1.0)
    etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_responder_declares_request_and_response_in_its_namespace(operation: str) -> None:
    xsd = responder(operation)
    namespace = OPERATIONS[operation].responder
    assert xsd.target_namespace == namespace
    assert set(xsd.elements) == {operation, f"{operation}Response"}
    assert f"{{{namespace}}}{operation}" in xsd.maps.elements


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_every_wrapper_ends_with_a_lax_any_of_other_namespaces(operation: str) -> None:
    tree = etree.parse(str(SCHEMA_DIR / f"{operation}Responder_1.1.xsd"))
    sequences = nodes(tree, "/xs:schema/xs:complexType/xs:sequence")
    assert len(sequences) == (3 if operation == "GetAvailableDates" else 2)
    for sequence in sequences:
        last = sequence[-1]
        assert last.tag == f"{{{XS}}}any"
        assert last.get("namespace") == "##other"
        assert last.get("processContents") == "lax"
        assert (last.get("minOccurs"), last.get("maxOccurs")) == ("0", "unbounded")


def test_timeslot_type_has_the_twenty_elements_in_order_and_no_wildcard() -> None:
    core = schema("crm_scheduling_1.1.xsd")
    timeslot = core.types["TimeslotType"]
    assert isinstance(timeslot, XsdComplexType)
    content = timeslot.content
    assert isinstance(content, XsdGroup)
    assert content.model == "sequence"
    children = list(content.iter_elements())
    assert [child.name for child in children] == [
        *(
            f"{{{CORE}}}{name}"
            for name in (
                "startTimeInclusive",
                "endTimeExclusive",
                "healthcare_facility",
                "performer",
                "bookingId",
                "subject_of_care",
                "purpose",
                "reason",
                "resourceName",
                "healthcare_facility_name",
                "performerName",
                "resourceID",
                "timeTypeName",
                "timeTypeID",
                "careTypeName",
                "careTypeID",
                "cancel_booking_allowed",
                "rebooking_allowed",
                "message_allowed",
            )
        ),
        f"{{{CORE_11}}}isInvitation",
    ]
    assert all(isinstance(child, xmlschema.XsdElement) for child in content)
    mandatory = [child.local_name for child in children if child.min_occurs == 1]
    assert mandatory == ["healthcare_facility"]


# --- valid messages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "xml"),
    [
        ("GetAvailableTimeslots", TIMESLOTS_RESPONSE),
        ("GetBookingDetails", BOOKING_DETAILS_RESPONSE),
        ("MakeBooking", MAKE_BOOKING),
        ("MakeBooking", MAKE_BOOKING_RESPONSE),
        ("GetAvailableDates", AVAILABLE_DATES),
        ("GetAvailableDates", AVAILABLE_DATES_RESPONSE),
        ("GetAllTimeTypes", ALL_TIME_TYPES),
        ("GetAllPerformers", ALL_PERFORMERS_RESPONSE),
        ("GetSubjectOfCareSchedule", schedule_request(CITIZEN)),
    ],
    ids=lambda value: value if value in OPERATIONS else "",
)
def test_sample_messages_validate(operation: str, xml: str) -> None:
    assert_valid(responder(operation), xml)


@pytest.mark.parametrize(
    ("name", "xml"),
    [
        ("interoperability_headers_1.0.xsd", ACTOR),
        ("interoperability_headers_1.0.xsd", PROCESSING_STATUS),
        ("itintegration_registry_1.0.xsd", LOGICAL_ADDRESS),
    ],
)
def test_header_blocks_validate(name: str, xml: str) -> None:
    assert_valid(schema(name), xml)


def test_the_subject_of_care_of_get_available_timeslots_is_in_its_1_1_namespace() -> None:
    xml = AVAILABLE_DATES.replace("GetAvailableDates", "GetAvailableTimeslots")
    assert_valid(responder("GetAvailableTimeslots"), xml)
    operation = OPERATIONS["GetAvailableTimeslots"]
    decoded = responder("GetAvailableTimeslots").to_dict(
        xml, namespaces={"r": operation.responder, "r11": operation.responder_11}
    )
    assert isinstance(decoded, dict)
    assert decoded["r11:subject_of_care"] == CITIZEN
    assert "r:subject_of_care" not in decoded


def test_a_wrapper_accepts_an_extension_element_of_another_namespace_at_its_end() -> None:
    extension = '<x:channel xmlns:x="urn:example:extension">1177</x:channel>\n</mb:MakeBooking>'
    assert_valid(responder("MakeBooking"), MAKE_BOOKING.replace("</mb:MakeBooking>", extension))


def test_an_agent_actor_validates() -> None:
    agent = ACTOR.replace(CITIZEN, PERFORMER)
    agent = agent.replace(">subject_of_care<", ">subject_of_care_agent<")
    assert_valid(schema("interoperability_headers_1.0.xsd"), agent)


# --- refused messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "citizen", ["191212121212", "191212721212", "19121212T123", "20121212p121"]
)
def test_real_personnummer_and_samordningsnummer_are_accepted(citizen: str) -> None:
    assert_valid(responder("GetSubjectOfCareSchedule"), schedule_request(citizen))


@pytest.mark.parametrize(
    "citizen",
    ["19121212-1212", "^191212121212$", "1212121212", "121212-1212", "1912121212123", ""],
)
def test_malformed_subject_of_care_ids_are_refused(citizen: str) -> None:
    assert_refused(responder("GetSubjectOfCareSchedule"), schedule_request(citizen))


@pytest.mark.parametrize(
    "start",
    ["202612080930", "2026-12-08T09:30:00", "20261308093000", "20261208243000", "09261208093000"],
)
def test_malformed_timestamps_are_refused(start: str) -> None:
    xml = TIMESLOTS_RESPONSE.replace("20261208093000", start)
    assert_refused(responder("GetAvailableTimeslots"), xml)


def test_a_malformed_date_is_refused() -> None:
    assert_refused(
        responder("GetAvailableDates"), AVAILABLE_DATES.replace("20261231", "2026-12-31")
    )


def test_an_extra_element_inside_a_timeslot_is_refused() -> None:
    last = "<core:message_allowed>false</core:message_allowed>"
    for extra in (
        '<x:colour xmlns:x="urn:example:extension">blue</x:colour>',
        "<core:room>12</core:room>",
    ):
        xml = TIMESLOTS_RESPONSE.replace(last, last + extra)
        assert_refused(responder("GetAvailableTimeslots"), xml)


def test_phone_after_last_name_is_refused() -> None:
    phone = "<core:phone>0701234567</core:phone>"
    last_name = "<n:lastName>Tolvansson</n:lastName>"
    xml = MAKE_BOOKING.replace(phone, "").replace(last_name, last_name + phone)
    assert_refused(responder("MakeBooking"), xml)


def test_subject_of_care_names_in_the_core_namespace_are_refused() -> None:
    xml = MAKE_BOOKING.replace("n:firstName", "core:firstName")
    assert_refused(responder("MakeBooking"), xml)


def test_make_booking_without_subject_of_care_info_is_refused() -> None:
    start = MAKE_BOOKING.index("<mb:subject_of_care_info>")
    end = MAKE_BOOKING.index("</mb:subject_of_care_info>") + len("</mb:subject_of_care_info>")
    assert_refused(responder("MakeBooking"), MAKE_BOOKING[:start] + MAKE_BOOKING[end:])


def test_subject_of_care_before_performer_in_get_available_dates_is_refused() -> None:
    subject = f"<r11:subject_of_care>{CITIZEN}</r11:subject_of_care>"
    performer = f"<performer>{PERFORMER}</performer>"
    xml = AVAILABLE_DATES.replace(subject, "").replace(performer, subject + performer)
    assert_refused(responder("GetAvailableDates"), xml)


def test_subject_of_care_of_get_available_dates_in_the_1_0_namespace_is_refused() -> None:
    xml = AVAILABLE_DATES.replace("r11:subject_of_care", "subject_of_care")
    assert_refused(responder("GetAvailableDates"), xml)


def test_actor_type_before_actor_id_is_refused() -> None:
    actor_id = f"<ih:actorId>{CITIZEN}</ih:actorId>"
    actor_type = "<ih:actorType>subject_of_care</ih:actorType>"
    xml = ACTOR.replace(actor_id, "").replace(actor_type, actor_type + actor_id)
    assert_refused(schema("interoperability_headers_1.0.xsd"), xml)


def test_an_unknown_actor_type_is_refused() -> None:
    xml = ACTOR.replace(">subject_of_care<", ">citizen<")
    assert_refused(schema("interoperability_headers_1.0.xsd"), xml)


def test_an_unknown_result_code_is_refused() -> None:
    xml = MAKE_BOOKING_RESPONSE.replace("INFO", "WARNING")
    assert_refused(responder("MakeBooking"), xml)


# --- WSDLs with zeep ------------------------------------------------------------------------


def check_port(client: zeep.Client, operation: str, location: str) -> None:
    """The client sees the one operation, its SOAPAction, its two headers and its address."""
    op = OPERATIONS[operation]
    service = client.wsdl.services[f"{operation}ResponderService"]
    port = service.ports[f"{operation}ResponderPort"]
    assert port.binding_options["address"] == location
    binding = port.binding
    assert binding.name.text == f"{{{op.wsdl_namespace}}}{operation}ResponderBinding"
    assert list(binding._operations) == [operation]
    soap_operation = binding.get(operation)
    assert soap_operation.soapaction == op.soap_action
    headers = soap_operation.input.header.type.elements
    assert [(part, element.qname.text) for part, element in headers] == [
        ("LogicalAddress", f"{{{REGISTRY}}}LogicalAddress"),
        ("actor", f"{{{HEADERS}}}Actor"),
    ]
    assert soap_operation.input.body.qname.text == f"{{{op.responder}}}{op.request_element}"
    assert soap_operation.output.body.qname.text == f"{{{op.responder}}}{op.response_element}"
    assert not soap_operation.faults


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_zeep_loads_every_wsdl_from_the_files(operation: str) -> None:
    client = zeep.Client(str(SCHEMA_DIR / wsdl_name(operation)))
    check_port(client, operation, "http://localhost/PLACEHOLDER")


def test_the_wsdls_use_documentation_not_annotation_under_definitions() -> None:
    for operation in OPERATION_NAMES:
        root = etree.parse(str(SCHEMA_DIR / wsdl_name(operation))).getroot()
        assert root.find("wsdl:documentation", NS) is not None
        assert root.find("xs:annotation", NS) is None
        assert root.get("targetNamespace") == OPERATIONS[operation].wsdl_namespace


class ServedTransport(zeep.Transport):
    """Answers zeep's requests for ``{endpoint}?wsdl`` and ``?xsd=`` from tidbok.crm.wsdl."""

    def __init__(self, operation: str, endpoint: str) -> None:
        super().__init__()
        self.operation = operation
        self.endpoint = endpoint
        self.loaded: list[str] = []

    def load(self, url: str) -> bytes:
        """The served document of ``url``; anything else is not found."""
        self.loaded.append(url)
        base, _, query = url.partition("?")
        assert base == self.endpoint, url
        if query == "wsdl":
            return wsdl_document(self.operation, self.endpoint)
        assert query.startswith("xsd="), url
        return schema_document(query.removeprefix("xsd="), self.endpoint)


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_zeep_loads_every_wsdl_from_the_rewritten_served_urls(operation: str) -> None:
    endpoint = f"https://tidbok.example:8443/rivtabp21/{operation}"
    transport = ServedTransport(operation, endpoint)
    client = zeep.Client(f"{endpoint}?wsdl", transport=transport)
    check_port(client, operation, endpoint)
    served = {url.removeprefix(f"{endpoint}?xsd=") for url in transport.loaded[1:]}
    expected = {
        f"{operation}Responder_1.1.xsd",
        "crm_scheduling_1.1.xsd",
        "crm_scheduling_1.1_ext.xsd",
        "interoperability_headers_1.0.xsd",
        "itintegration_registry_1.0.xsd",
    }
    if operation in EXTENDED_OPERATIONS:
        expected.add(f"{operation}Responder_1.1_ext.xsd")
    assert served == expected


async def serve_documents(request: web.Request) -> web.Response:
    """``GET /rivtabp21/{operation}?wsdl`` and ``?xsd=<name>``, as a producer would serve them."""
    operation = request.match_info["operation"]
    endpoint = str(request.url.with_query(None))
    try:
        if "wsdl" in request.query:
            body = wsdl_document(operation, endpoint)
        else:
            body = schema_document(request.query.get("xsd", ""), endpoint)
    except KeyError:
        raise web.HTTPNotFound() from None
    return web.Response(body=body, content_type="text/xml", charset="utf-8")


async def test_zeep_loads_a_wsdl_and_its_schemas_over_http_from_a_tiny_server() -> None:
    app = web.Application()
    app.router.add_get("/rivtabp21/{operation}", serve_documents)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        endpoint = f"http://127.0.0.1:{port}/rivtabp21/GetAllTimeTypes"
        transport = zeep.Transport(timeout=10)
        transport.session.trust_env = False  # no proxy for 127.0.0.1
        client = await asyncio.to_thread(zeep.Client, f"{endpoint}?wsdl", transport=transport)
        check_port(client, "GetAllTimeTypes", endpoint)
        missing = await asyncio.to_thread(
            transport.session.get, f"{endpoint}?xsd=../wsdl.py", timeout=10
        )
        assert missing.status_code == 404
    finally:
        await runner.cleanup()


def test_a_zeep_request_validates_against_the_schemas() -> None:
    client = zeep.Client(str(SCHEMA_DIR / wsdl_name("GetAvailableDates")))
    envelope = client.create_message(
        client.service,
        "GetAvailableDates",
        healthcare_facility=UNIT,
        startDateInclusive="20261201",
        endDateInclusive="20261231",
        performer=[PERFORMER],
        subject_of_care=CITIZEN,
        _soapheaders={
            "LogicalAddress": UNIT,
            "actor": {"actorId": CITIZEN, "actorType": "subject_of_care"},
        },
    )
    header, body = envelope[0], envelope[1]
    assert_valid(responder("GetAvailableDates"), etree.tostring(body[0]).decode())
    blocks = {element.tag: element for element in header}
    assert_valid(
        schema("itintegration_registry_1.0.xsd"),
        etree.tostring(blocks[f"{{{REGISTRY}}}LogicalAddress"]).decode(),
    )
    assert_valid(
        schema("interoperability_headers_1.0.xsd"),
        etree.tostring(blocks[f"{{{HEADERS}}}Actor"]).decode(),
    )


# --- the served documents -------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_wsdl_document_rewrites_the_address_and_every_schema_location(operation: str) -> None:
    endpoint = f"https://tidbok.example/rivtabp21/{operation}"
    served = wsdl_document(operation, endpoint)
    assert served.startswith(b"<?xml")
    root = etree.fromstring(served)
    assert strings(root, "//soap:address/@location") == [endpoint]
    locations = strings(root, "//xs:import/@schemaLocation")
    assert len(locations) == 3
    for location in locations:
        assert location.startswith(f"{endpoint}?xsd=")
        assert location.removeprefix(f"{endpoint}?xsd=") in schema_names()
    assert b"PLACEHOLDER" not in served
    assert b"<!--" in served  # the provenance comment stays


@pytest.mark.parametrize("name", schema_names())
def test_schema_document_rewrites_every_schema_location(name: str) -> None:
    endpoint = "https://tidbok.example/rivtabp21/MakeBooking"
    served = schema_document(name, endpoint)
    original = etree.parse(str(SCHEMA_DIR / name)).getroot()
    root = etree.fromstring(served)
    before = strings(original, "//xs:import/@schemaLocation")
    after = strings(root, "//xs:import/@schemaLocation")
    assert after == [f"{endpoint}?xsd={location}" for location in before]
    assert root.get("targetNamespace") == original.get("targetNamespace")


@pytest.mark.parametrize(
    "operation", ["GetCancelledAndRebooked", "makebooking", "", "MakeBookingResponder"]
)
def test_wsdl_document_of_an_unknown_operation_raises_key_error(operation: str) -> None:
    with pytest.raises(KeyError):
        wsdl_document(operation, "https://tidbok.example/x")


@pytest.mark.parametrize(
    "name",
    [
        "",
        "nope.xsd",
        "MakeBookingInteraction_1.1_RIVTABP21.wsdl",
        "../wsdl.py",
        "../../../../pyproject.toml",
        "/etc/passwd",
        "./crm_scheduling_1.1.xsd",
        "crm_scheduling_1.1.xsd/",
    ],
)
def test_schema_document_of_an_unknown_name_raises_key_error(name: str) -> None:
    with pytest.raises(KeyError):
        schema_document(name, "https://tidbok.example/x")
