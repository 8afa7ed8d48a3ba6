"""HTTPS for the gateway, and the client certificates of mutual TLS (``[gateway.tls]``).

:func:`server_ssl_context` turns :class:`~tidbok.settings.TlsSettings` into the server's
:class:`ssl.SSLContext`: TLS 1.2 or newer, the gateway's chain and key, and with ``client_ca`` a
request for a client certificate (``CERT_OPTIONAL``): a client may connect without one (REST v1
clients authenticate with a bearer token), but a certificate it presents must verify against
``client_ca`` and nothing else (the system's CA store is never loaded for clients), or the
handshake fails. Who the verified certificate names is read by
:mod:`tidbok.gateway.riv_consumers`.

Every mistake in the files (missing, unreadable, not PEM, an encrypted key, a key that does not
belong to the certificate) is a :class:`~tidbok.gateway.auth.GatewayConfigError` that names the
setting and what to do, never a traceback.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import NoReturn

from tidbok.gateway.auth import GatewayConfigError
from tidbok.settings import TlsSettings

CERTIFICATE = "gateway.tls.certificate"
PRIVATE_KEY = "gateway.tls.private_key"
CLIENT_CA = "gateway.tls.client_ca"

_WHAT = {
    CERTIFICATE: "the gateway's certificate chain (PEM: its certificate first, then intermediates)",
    PRIVATE_KEY: "the certificate's private key (PEM, unencrypted)",
    CLIENT_CA: "the CA bundle (PEM) that signs the consumers' client certificates",
}


class TlsConfigError(GatewayConfigError):
    """A ``[gateway.tls]`` file cannot be used; the message names the setting and what to do."""


class _EncryptedKey(Exception):
    """OpenSSL asked for a password: the key is encrypted (never prompt on the terminal)."""


def _no_password() -> NoReturn:
    raise _EncryptedKey


def _read(setting: str, path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise TlsConfigError(
            f"{setting}: cannot read {path}: {reason}; set {setting} to {_WHAT[setting]} "
            "readable by the gateway's user"
        ) from None
    return data.decode("ascii", errors="replace")


def _require_pem(setting: str, path: Path, text: str, marker: str) -> None:
    if marker not in text:
        raise TlsConfigError(
            f"{setting}: {path} holds no PEM block '{marker}'; set {setting} to {_WHAT[setting]}"
        )


def server_ssl_context(settings: TlsSettings) -> ssl.SSLContext:
    """The gateway's server-side TLS context; :class:`TlsConfigError` names a bad setting."""
    certificate = _read(CERTIFICATE, settings.certificate)
    _require_pem(CERTIFICATE, settings.certificate, certificate, "-----BEGIN CERTIFICATE-----")
    key = _read(PRIVATE_KEY, settings.private_key)
    _require_pem(PRIVATE_KEY, settings.private_key, key, "PRIVATE KEY-----")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.certificate, settings.private_key, password=_no_password)
    except _EncryptedKey:
        raise TlsConfigError(
            f"{PRIVATE_KEY}: {settings.private_key} is encrypted; the gateway cannot ask for a "
            "password: write it unencrypted (openssl pkey -in KEY -out PLAIN), readable only by "
            f"the gateway's user, and set {PRIVATE_KEY} to that file"
        ) from None
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise TlsConfigError(
                f"{PRIVATE_KEY}: {settings.private_key} is not the key of the certificate in "
                f"{CERTIFICATE} ({settings.certificate}); set the key issued with that "
                "certificate (or the certificate issued for that key)"
            ) from None
        raise TlsConfigError(
            f"{CERTIFICATE}, {PRIVATE_KEY}: OpenSSL cannot load {settings.certificate} with "
            f"{settings.private_key} ({error.reason or error.strerror}); check that they are "
            "the gateway's certificate chain and its unencrypted private key, both PEM"
        ) from None
    if settings.client_ca is not None:
        bundle = _read(CLIENT_CA, settings.client_ca)
        _require_pem(CLIENT_CA, settings.client_ca, bundle, "-----BEGIN CERTIFICATE-----")
        try:
            context.load_verify_locations(cafile=settings.client_ca)
        except ssl.SSLError as error:
            raise TlsConfigError(
                f"{CLIENT_CA}: OpenSSL cannot load {settings.client_ca} "
                f"({error.reason or error.strerror}); set {CLIENT_CA} to {_WHAT[CLIENT_CA]}"
            ) from None
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
