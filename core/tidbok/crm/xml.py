"""The element layer: typed messages to exact XML and back (lxml).

Each message type is a frozen dataclass deriving from :class:`XmlType` whose ``CHILDREN`` list its
elements in the contract's order, each with its namespace, codec and cardinality. One generic
encoder writes them in that order, skipping absent values, so no empty element is ever written;
one generic decoder reads by qualified name, so prefixes and the order of what it receives do not
matter and unknown elements (the contract's ``xs:any``) are ignored.

Why lxml and not pydantic-xml: the contract mixes namespaces *within* one type (``isInvitation``
and the citizen's names are in ``…:1.1``, three request additions in ``…Responder:1.1``), the
answers must be cheap (GetAvailableTimeslots over SOAP is benchmarked against REST v1), and the
per-operation field rules go beyond what a schema-shaped model expresses. A 150-line table-driven
layer over lxml's C tree does all three, with nothing hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

from lxml import etree

from tidbok.crm.times import (
    TimestampError,
    format_date,
    format_timestamp,
    parse_date,
    parse_timestamp,
)

V = TypeVar("V")

#: The personnummer pattern of the fixed schema (fact sheet §3), ASCII digits only.
SUBJECT_OF_CARE_PATTERN = re.compile(r"[0-9]{8}[0-9pPtTfF][0-9]{3}")


class WireError(ValueError):
    """A message that does not follow the contract (missing, malformed or misplaced content).

    The text names elements, never values: it may reach a SOAP fault or a log.
    """


@dataclass(frozen=True)
class Codec(Generic[V]):
    """How one simple type travels as element text."""

    name: str
    encode: Callable[[V], str]
    decode: Callable[[str], V]


def _decode_text(text: str) -> str:
    return text


def _encode_bool(value: bool) -> str:
    return "true" if value else "false"


def _decode_bool(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("not an xs:boolean")


def _decode_subject(text: str) -> str:
    if SUBJECT_OF_CARE_PATTERN.fullmatch(text) is None:
        raise ValueError("not a SubjectOfCareIdType (12 characters, no hyphen)")
    return text


TEXT: Codec[str] = Codec("string", str, _decode_text)
"""xs:string (and the contract's string-based id types)."""
BOOL: Codec[bool] = Codec("boolean", _encode_bool, _decode_bool)
"""xs:boolean, written ``true``/``false``."""
TS: Codec[datetime] = Codec("TS", format_timestamp, parse_timestamp)
"""A 14-digit local timestamp as an aware Europe/Stockholm datetime."""
DT: Codec[date] = Codec("DT", format_date, parse_date)
"""An 8-digit date."""
SUBJECT: Codec[str] = Codec("SubjectOfCareIdType", str, _decode_subject)
"""A personnummer or samordningsnummer, 12 characters without hyphen."""


@dataclass(frozen=True)
class Child:
    """One element of a type: attribute, local name, namespace, content, cardinality."""

    attr: str
    name: str
    ns: str
    kind: Codec[Any] | type[XmlType]
    required: bool = False
    many: bool = False
    tag: str = field(init=False, repr=False, compare=False)
    """The qualified name in Clark notation, ``{namespace}name`` (computed once)."""
    encode: Callable[[Any], str] | None = field(init=False, repr=False, compare=False)
    """The codec's encoder for simple content; None for a complex type."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tag", f"{{{self.ns}}}{self.name}")
        encode = self.kind.encode if isinstance(self.kind, Codec) else None
        object.__setattr__(self, "encode", encode)


class XmlType:
    """Base of the contract's complex types: frozen dataclasses with ordered ``CHILDREN``."""

    CHILDREN: ClassVar[tuple[Child, ...]] = ()
    _BY_TAG: ClassVar[dict[str, Child]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._BY_TAG = {child.tag: child for child in cls.CHILDREN}

    @classmethod
    def check_children(cls) -> None:
        """Fail unless ``CHILDREN`` names exactly the dataclass fields (a test calls this)."""
        declared = [child.attr for child in cls.CHILDREN]
        actual = [field.name for field in fields(cls)]  # type: ignore[arg-type]
        if declared != actual:
            raise TypeError(f"{cls.__name__}: CHILDREN {declared} != fields {actual}")

    # -- writing ------------------------------------------------------------------------

    def write(self, parent: etree._Element, tag: str) -> etree._Element:
        """Append this value as element ``tag`` under ``parent`` and return it."""
        element = etree.SubElement(parent, tag)
        self.write_children(element)
        return element

    def write_children(self, element: etree._Element) -> None:
        """Append the children in the contract's order; absent values write nothing.

        The hot loop of every answer (GetAvailableTimeslots: 20 children per timeslot, most of
        them absent), hence the tags and encoders precomputed on :class:`Child`.
        """
        for child in self.CHILDREN:
            value = getattr(self, child.attr)
            if child.many:
                for item in value:
                    _write_child(element, child, item)
            elif value is not None:
                _write_child(element, child, value)
            elif child.required:
                raise WireError(f"{child.name} is required")

    # -- reading ------------------------------------------------------------------------

    @classmethod
    def read(cls, element: etree._Element) -> Self:
        """The value of ``element``: children found by qualified name, unknown ones ignored."""
        values: dict[str, Any] = {}
        by_tag = cls._BY_TAG
        for node in element:
            tag = node.tag
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            child = by_tag.get(tag)
            if child is None:
                continue
            value = _read_child(child, node)
            if value is None:
                continue
            if child.many:
                values.setdefault(child.attr, []).append(value)
            elif child.attr in values:
                raise WireError(f"{child.name} may occur only once")
            else:
                values[child.attr] = value
        for child in cls.CHILDREN:
            if child.many:
                values[child.attr] = tuple(values.get(child.attr, ()))
            elif child.required and child.attr not in values:
                raise WireError(f"{child.name} is missing in {_local(element.tag)}")
        return cls(**values)


def _write_child(element: etree._Element, child: Child, value: Any) -> None:
    encode = child.encode
    if encode is None:
        value.write(element, child.tag)
        return
    text = encode(value)
    if text:
        _sub_element(element, child.tag).text = text
    elif child.required:
        raise WireError(f"{child.name} may not be empty")


_sub_element = etree.SubElement


def _read_child(child: Child, node: etree._Element) -> Any:
    if isinstance(child.kind, Codec):
        text = (node.text or "").strip()
        if not text:
            return None  # liberal: an empty element reads as absent
        try:
            return child.kind.decode(text)
        except (ValueError, TimestampError) as error:
            raise WireError(f"{child.name}: {error}") from None
    return child.kind.read(node)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else "element"
