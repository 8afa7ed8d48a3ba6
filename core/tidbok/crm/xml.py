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

Answers take a faster path to the same bytes (:func:`write_text`, used by
:func:`tidbok.crm.envelope.write_response`): compiled from the same ``CHILDREN`` tables, it writes
text instead of a tree, and hands what it cannot write exactly as libxml2 would back to the
generic writer (the last section below).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
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


# -- writing as text: the answers' fast path ------------------------------------------------
#
# Typed messages straight to XML text, compiled from ``CHILDREN``. The generic writer
# (:meth:`XmlType.write`) builds an lxml tree, one ``SubElement`` per element, and loops over every
# child of every type: for GetAvailableTimeslots that is 20 children per timeslot, most of them
# absent, and about 1 ms for 70 timeslots (0.3 ms as text). This section writes the same bytes as
# text instead. For each type and each envelope's prefixes it compiles, once, a list of steps from
# the type's ``CHILDREN`` table (the one description of the wire: nothing here names an element):
# per child its ready-made ``<prefix:name>`` and ``</prefix:name>`` and its codec's encoder. Writing
# a value then fetches all its fields in one ``attrgetter`` call and appends strings.
#
# It writes exactly what libxml2 serialises for the same tree (tests/riv/test_text_writer.py
# compares them byte for byte): text escaped as ``&amp;`` ``&lt;`` ``&gt;`` ``&#13;``, everything
# else (quotes, non-ASCII) as is in UTF-8, an element without content as ``<prefix:name/>``. What
# it cannot write that way raises :class:`Unwritable`, and the caller falls back to the generic
# writer, which then raises its own error: a missing required value (:class:`WireError`), a
# character XML forbids (``ValueError``), a namespace without a prefix on the envelope.

Writer = Callable[[Any, list[str]], None]
"""Appends one value's element (its text) to a list of string parts."""

#: Anything in element text that libxml2 does not write as is.
_SPECIAL = re.compile("[&<>\r]|[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Characters XML 1.0 does not allow at all (lxml refuses them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class Unwritable(Exception):
    """The text writer cannot write this value as the generic writer would: use that one."""


@lru_cache(maxsize=4096)
def escape_text(text: str) -> str:
    """``text`` as libxml2 writes element content (cached: unit ids and names repeat)."""
    if _SPECIAL.search(text) is None:
        return text
    if _NOT_XML.search(text) is not None:
        raise Unwritable("a character XML does not allow")
    return text.translate(_ESCAPES)


Prefixes = tuple[tuple[str, str], ...]
"""An envelope's namespace declarations as ``(prefix, namespace)`` pairs (hashable)."""


def qualified(child: Child, prefixes: Mapping[str, str]) -> str:
    """``prefix:name`` of ``child`` under ``prefixes`` (namespace to prefix)."""
    prefix = prefixes.get(child.ns)
    if prefix is None:
        raise Unwritable(f"no prefix for {child.ns}")
    return f"{prefix}:{child.name}"


# One step per child: encoder (None for a complex type), nested writer, open, close, many,
# required. A tuple, unpacked in the loop: the cheapest form CPython reads.
_Step = tuple[Callable[[Any], str] | None, Writer | None, str, str, bool, bool]


def type_writer(kind: type[XmlType], prefixes: Prefixes) -> Callable[[Any, list[str]], None]:
    """The writer of ``kind``'s children (not of its own element), compiled for ``prefixes``.

    Raises :class:`Unwritable` when a child's namespace has no prefix in ``prefixes``.
    """
    by_namespace = {namespace: prefix for prefix, namespace in prefixes}
    steps: list[_Step] = []
    for child in kind.CHILDREN:
        name = qualified(child, by_namespace)
        nested = None if isinstance(child.kind, Codec) else element_writer(child, prefixes)
        steps.append((child.encode, nested, f"<{name}>", f"</{name}>", child.many, child.required))
    attrs = [child.attr for child in kind.CHILDREN]
    fetch: Callable[[Any], tuple[Any, ...]]
    if len(attrs) == 1:
        single = attrgetter(attrs[0])
        fetch = lambda value: (single(value),)  # noqa: E731
    elif attrs:
        fetch = attrgetter(*attrs)
    else:
        fetch = lambda value: ()  # noqa: E731
    compiled = tuple(steps)

    def write_children(value: Any, out: list[str]) -> None:
        append, escape = out.append, escape_text
        for (encode, nested, open_, close, many, required), item in zip(
            compiled, fetch(value), strict=True
        ):
            if item is None:
                if required:
                    raise Unwritable("a required value is missing")
            elif encode is not None:
                if many:
                    for one in item:
                        _write_text(encode(one), open_, close, required, append)
                else:  # inline _write_text: the hot path (8 of 20 per timeslot)
                    text = encode(item)
                    if text:
                        append(open_ + escape(text) + close)
                    elif required:
                        raise Unwritable("a required value is empty")
            elif nested is not None:
                for one in item if many else (item,):
                    nested(one, out)

    return write_children


def _write_text(
    text: str, open_: str, close: str, required: bool, append: Callable[[str], None]
) -> None:
    if text:
        append(open_ + escape_text(text) + close)
    elif required:
        raise Unwritable("a required value is empty")


def element_writer(child: Child, prefixes: Prefixes) -> Writer:
    """The writer of one element of complex type ``child.kind``: ``<q>children</q>`` or ``<q/>``."""
    kind = child.kind
    assert not isinstance(kind, Codec)
    name = qualified(child, {namespace: prefix for prefix, namespace in prefixes})
    return tag_writer(kind, name, prefixes)


_TAG_WRITERS: dict[tuple[type[XmlType], str, Prefixes], Writer] = {}


def tag_writer(kind: type[XmlType], name: str, prefixes: Prefixes) -> Writer:
    """The writer of a ``kind`` value as element ``name`` (``prefix:local``), compiled once."""
    key = (kind, name, prefixes)
    writer = _TAG_WRITERS.get(key)
    if writer is None:
        writer = _TAG_WRITERS[key] = _compile_tag_writer(kind, name, prefixes)
    return writer


def _compile_tag_writer(kind: type[XmlType], name: str, prefixes: Prefixes) -> Writer:
    children = type_writer(kind, prefixes)
    open_, close, empty = f"<{name}>", f"</{name}>", f"<{name}/>"

    def write(value: Any, out: list[str]) -> None:
        out.append(open_)
        mark = len(out)
        children(value, out)
        if len(out) == mark:
            out[-1] = empty
        else:
            out.append(close)

    return write


def write_text(value: XmlType, name: str, prefixes: Prefixes) -> str:
    """``value`` as element ``name`` under an element declaring ``prefixes``: its XML text.

    Raises :class:`Unwritable` when the generic writer must do it (see the notes above).
    """
    out: list[str] = []
    tag_writer(type(value), name, prefixes)(value, out)
    return "".join(out)
