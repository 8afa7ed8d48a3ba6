"""Who calls the crm:scheduling producer, and whether they may (``[riv]``, docs/gateway.md).

The national service platform calls over mutual TLS. The consumer is named by the client
certificate the handshake verified against ``gateway.tls.client_ca`` (:mod:`tidbok.gateway.tls`):
the HSA-id in the subject's ``serialNumber`` (SITHS), else its ``commonName``, upper-cased. A
certificate whose id is in ``riv.trusted_platforms`` (the platform itself) may name the original
consumer in ``riv.consumer_header``; from any other certificate that header is ignored. With
``riv.allowed_consumers`` only those consumers are let through.

HSA-ids name organisations and systems, not citizens: refusals are logged with them at WARNING
on ``tidbok.gateway.riv``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tidbok.identity import normalize_hsa_id
from tidbok.settings import RivSettings

log = logging.getLogger("tidbok.gateway.riv")


class ConsumerRefused(Exception):
    """A crm:scheduling call from a consumer that is not identified or not allowed."""

    reason: str
    """Short English text for the log and the SOAP fault, never personal data."""
    consumer: str | None
    """The consumer's HSA-id when one was named, for the log."""

    def __init__(self, reason: str, consumer: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.consumer = consumer


def peer_certificate(request: web.Request) -> Mapping[str, Any] | None:
    """The client certificate the TLS handshake verified, as ``SSLSocket.getpeercert()`` gives.

    None without TLS, without a certificate, or when the connection is already gone. An empty
    dict (a certificate accepted without verification, ``CERT_NONE``) counts as none.
    """
    transport = request.transport
    if transport is None:
        return None
    certificate = transport.get_extra_info("peercert")
    if not certificate:
        return None
    return certificate


def certificate_hsa_id(certificate: Mapping[str, Any]) -> str | None:
    """The HSA-id a certificate's subject names: ``serialNumber``, else ``commonName``.

    Upper-cased; when an attribute occurs more than once the last (most specific) counts. The
    certificate's own serial number (the dict's top-level ``serialNumber``) is not the subject's.
    """
    found: dict[str, str] = {}
    for rdn in certificate.get("subject", ()):
        for name, value in rdn:
            if name in ("serialNumber", "commonName") and str(value).strip():
                found[name] = str(value).strip().upper()
    return found.get("serialNumber") or found.get("commonName")


def _header_consumer(request: web.Request, settings: RivSettings) -> str | None:
    """The consumer named in ``consumer_header`` (None when absent or blank)."""
    value = request.headers.get(settings.consumer_header, "").strip()
    if not value:
        return None
    try:
        return normalize_hsa_id(value)
    except ValueError:
        raise _refused(f"the {settings.consumer_header} header is not an HSA-id") from None


def _refused(reason: str, consumer: str | None = None, via: str | None = None) -> ConsumerRefused:
    log.warning(
        "crm:scheduling call refused: %s (consumer=%s%s)",
        reason,
        consumer or "unidentified",
        f" via={via}" if via is not None else "",
    )
    return ConsumerRefused(reason, consumer)


def consumer_identity(request: web.Request, settings: RivSettings) -> str | None:
    """The HSA-id of the consumer making ``request``; :class:`ConsumerRefused` if it may not.

    Without a verified client certificate the call is refused when
    ``settings.require_client_certificate``; otherwise (tests only) the consumer is whatever
    ``consumer_header`` says, or None. With ``settings.allowed_consumers`` the consumer must be
    one of them (an unidentified one is refused too).
    """
    certificate = peer_certificate(request)
    via: str | None = None
    if certificate is None:
        if settings.require_client_certificate:
            raise _refused("a client certificate is required")
        consumer = _header_consumer(request, settings)
    else:
        certified = certificate_hsa_id(certificate)
        if certified is None:
            raise _refused("the client certificate names no serialNumber or commonName")
        consumer = certified
        if certified in {platform.upper() for platform in settings.trusted_platforms}:
            forwarded = _header_consumer(request, settings)
            if forwarded is not None:
                consumer, via = forwarded, certified
    if settings.allowed_consumers:
        if consumer is None:
            raise _refused("the consumer is not identified")
        if consumer not in {allowed.upper() for allowed in settings.allowed_consumers}:
            raise _refused("the consumer is not allowed to call this producer", consumer, via)
    return consumer
