"""crm:scheduling 1.1 (RIV-TA Basic Profile 2.1): the national booking contract 1177 speaks.

The facts come from the contract package as summarised in ``shared/crm-scheduling.md``:

- :mod:`tidbok.crm.namespaces`: namespaces, the 11 operations and their SOAPActions;
- :mod:`tidbok.crm.times`: 14-digit local timestamps and 8-digit dates;
- :mod:`tidbok.crm.xml`: the declarative element layer (exact order out, liberal parsing in);
- :mod:`tidbok.crm.types` and :mod:`tidbok.crm.messages`: the typed messages of every operation;
- :mod:`tidbok.crm.envelope`: SOAP 1.1 envelopes, the two headers, faults;
- :mod:`tidbok.crm.wsdl`: the WSDLs and schemas the producer serves (``schemas/``).

Plugins import only the names in ``tidbok.crm.__all__`` (``from tidbok.crm import ...``).

The producer that answers 1177 lives in :mod:`tidbok.gateway.riv`; the ``riv`` plugin is the
consumer side.
"""

from tidbok.crm.envelope import (
    SoapFault,
    SoapRequest,
    read_request,
    read_response,
    write_fault,
    write_request,
    write_response,
)
from tidbok.crm.fields import check_timeslot, timeslot_problems
from tidbok.crm.messages import (
    MESSAGES,
    CancelBooking,
    CancelBookingResponse,
    GetAllCareTypes,
    GetAllCareTypesResponse,
    GetAllHealthcareFacilities,
    GetAllHealthcareFacilitiesResponse,
    GetAllPerformers,
    GetAllPerformersResponse,
    GetAllTimeTypes,
    GetAllTimeTypesResponse,
    GetAvailableDates,
    GetAvailableDatesResponse,
    GetAvailableTimeslots,
    GetAvailableTimeslotsResponse,
    GetBookingDetails,
    GetBookingDetailsResponse,
    GetSubjectOfCareSchedule,
    GetSubjectOfCareScheduleResponse,
    MakeBooking,
    MakeBookingResponse,
    ResultCode,
    UpdateBooking,
    UpdateBookingResponse,
)
from tidbok.crm.namespaces import OPERATION_NAMES, OPERATIONS, Operation
from tidbok.crm.times import (
    TimestampError,
    format_date,
    format_timestamp,
    parse_date,
    parse_timestamp,
)
from tidbok.crm.types import (
    Actor,
    ActorType,
    CareTypeType,
    HealthcareFacilityInfoType,
    PerformerAvailabilityByDateType,
    PerformerInfoType,
    SubjectOfCareType,
    TimeslotType,
    TimeTypeType,
)
from tidbok.crm.xml import WireError, XmlType

#: The public surface of crm:scheduling for plugins that speak it (the ``riv`` plugin): these
#: names are stable like ``tidbok.__all__``; the submodules are internal.
__all__ = [
    "MESSAGES",
    "OPERATIONS",
    "OPERATION_NAMES",
    "Actor",
    "ActorType",
    "CancelBooking",
    "CancelBookingResponse",
    "CareTypeType",
    "GetAllCareTypes",
    "GetAllCareTypesResponse",
    "GetAllHealthcareFacilities",
    "GetAllHealthcareFacilitiesResponse",
    "GetAllPerformers",
    "GetAllPerformersResponse",
    "GetAllTimeTypes",
    "GetAllTimeTypesResponse",
    "GetAvailableDates",
    "GetAvailableDatesResponse",
    "GetAvailableTimeslots",
    "GetAvailableTimeslotsResponse",
    "GetBookingDetails",
    "GetBookingDetailsResponse",
    "GetSubjectOfCareSchedule",
    "GetSubjectOfCareScheduleResponse",
    "HealthcareFacilityInfoType",
    "MakeBooking",
    "MakeBookingResponse",
    "Operation",
    "PerformerAvailabilityByDateType",
    "PerformerInfoType",
    "ResultCode",
    "SoapFault",
    "SoapRequest",
    "SubjectOfCareType",
    "TimeTypeType",
    "TimeslotType",
    "TimestampError",
    "UpdateBooking",
    "UpdateBookingResponse",
    "WireError",
    "XmlType",
    "check_timeslot",
    "format_date",
    "format_timestamp",
    "parse_date",
    "parse_timestamp",
    "read_request",
    "read_response",
    "timeslot_problems",
    "write_fault",
    "write_request",
    "write_response",
]
