"""HTTPS and mutual TLS for the gateway, and who a crm:scheduling consumer is.

A throwaway CA (trustme, tests/certs.py) signs the gateway's certificate for 127.0.0.1/localhost
and the consumers' client certificates; their subjects carry HSA-ids in ``serialNumber`` (SITHS
style, built with ``cryptography``) or ``commonName``. A second CA signs a certificate the gateway
must refuse. The gateway is the real one (``start_gateway`` on port 0); ``consumer_identity`` is
checked behind a tiny app served with the same :func:`server_ssl_context`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from tests.certs import ClientCert, Pki, new_pki
from tidbok.cli import main
from tidbok.clock import FakeTimer, FrozenClock
from tidbok.gateway import GatewayConfigError, RunningGateway, start_gateway
from tidbok.gateway.riv_consumers import ConsumerRefused, consumer_identity
from tidbok.gateway.tls import server_ssl_context
from tidbok.service import BookingService
from tidbok.settings import RivSettings, TidbokSettings, TlsSettings

from .conftest import NOW, SECRET, make_settings, make_systems

PLATFORM = "SE165565594230-1000"  # the national service platform's certificate
CONSUMER = "SE2321000016-7P35"  # a consumer the platform forwards for
OTHER_CONSUMER = "SE2321000016-9ZZ9"


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return new_pki(tmp_path / "pki")


@pytest.fixture
def other_ca() -> trustme.CA:
    return trustme.CA()


def tls_settings(tmp_path: Path, tls: TlsSettings | None, **extra: Any) -> TidbokSettings:
    settings = make_settings(tmp_path / "outbox.sqlite3", None)
    gateway = settings.gateway.model_copy(update={"tls": tls})
    return settings.model_copy(update={"gateway": gateway, **extra})


StartGateway = Callable[[TidbokSettings], Awaitable[RunningGateway]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[StartGateway]:
    """Start the real gateway with the given settings on 127.0.0.1, port 0."""
    systems = make_systems()
    async with BookingService(
        make_settings(tmp_path / "unused.sqlite3", None),
        registry=systems.registry,
        clock=FrozenClock(NOW),
        timer=FakeTimer(),
    ) as service:
        running: list[RunningGateway] = []

        async def starter(settings: TidbokSettings) -> RunningGateway:
            gateway = await start_gateway(settings, service, host="127.0.0.1", port=0)
            running.append(gateway)
            return gateway

        yield starter
        for gateway in running:
            await gateway.aclose()


# --- HTTPS ------------------------------------------------------------------------------------


async def test_the_gateway_serves_https_with_and_without_a_client_certificate(
    tmp_path: Path, pki: Pki, start: StartGateway
) -> None:
    gateway = await start(tls_settings(tmp_path, pki.tls()))
    assert gateway.url.startswith("https://127.0.0.1:")
    consumer = pki.client("consumer", serial_number=CONSUMER)
    for cert in (None, consumer):
        async with httpx.AsyncClient(verify=pki.client_context(cert), timeout=5) as client:
            answer = await client.get(f"{gateway.url}/healthz")
            assert answer.json() == {"status": "ok"}
            # REST v1 still asks for its bearer token over HTTPS
            assert (await client.get(f"{gateway.url}/v1/bookings")).status_code == 401


async def test_without_client_ca_no_certificate_is_asked_for(
    tmp_path: Path, pki: Pki, start: StartGateway
) -> None:
    context = server_ssl_context(pki.tls(client_ca=None))
    assert context.verify_mode == ssl.CERT_NONE
    gateway = await start(tls_settings(tmp_path, pki.tls(client_ca=None)))
    async with httpx.AsyncClient(verify=pki.client_context(), timeout=5) as client:
        assert (await client.get(f"{gateway.url}/healthz")).status_code == 200


def test_the_context_asks_for_optional_certificates_and_trusts_only_the_client_ca(
    pki: Pki,
) -> None:
    context = server_ssl_context(pki.tls())
    assert context.verify_mode == ssl.CERT_OPTIONAL
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    # exactly the configured bundle: never the system's CA store, which would let any
    # certificate a public CA issued through
    ca_subject = x509.load_pem_x509_certificate(pki.ca.cert_pem.bytes()).subject
    loaded = context.get_ca_certs(binary_form=True)
    assert [x509.load_der_x509_certificate(der).subject for der in loaded] == [ca_subject]


async def test_a_client_certificate_from_another_ca_is_refused_in_the_handshake(
    tmp_path: Path, pki: Pki, other_ca: trustme.CA, start: StartGateway
) -> None:
    gateway = await start(tls_settings(tmp_path, pki.tls()))
    stranger = pki.client("stranger", serial_number=CONSUMER, ca=other_ca)
    async with httpx.AsyncClient(verify=pki.client_context(stranger), timeout=5) as client:
        # TLS 1.3: the client's handshake may finish first; the server's alert then ends the
        # connection before any answer, so the request fails either way.
        with pytest.raises(httpx.TransportError):
            await client.get(f"{gateway.url}/healthz")


async def test_an_expired_client_certificate_is_refused(
    tmp_path: Path, pki: Pki, start: StartGateway
) -> None:
    gateway = await start(tls_settings(tmp_path, pki.tls()))
    old = pki.client("old", serial_number=CONSUMER, expired=True)
    async with httpx.AsyncClient(verify=pki.client_context(old), timeout=5) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(f"{gateway.url}/healthz")


async def test_plain_http_to_the_https_port_gets_no_answer(
    tmp_path: Path, pki: Pki, start: StartGateway
) -> None:
    gateway = await start(tls_settings(tmp_path, pki.tls()))
    plain = gateway.url.replace("https://", "http://")
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(f"{plain}/healthz")


# --- bad settings -----------------------------------------------------------------------------


def _encrypted(key: Path, target: Path) -> Path:
    loaded = load_pem_private_key(key.read_bytes(), None)
    target.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    return target


def _bad_tls(pki: Pki, case: str) -> tuple[TlsSettings, list[str]]:
    """Settings with one mistake, and the words the error must contain."""
    folder = pki.folder
    junk = folder / "junk.pem"
    junk.write_text("not a certificate\n")
    missing = folder / "missing.pem"
    if case == "certificate missing":
        return pki.tls(certificate=missing), ["gateway.tls.certificate", "cannot read", "missing"]
    if case == "certificate not PEM":
        return pki.tls(certificate=junk), ["gateway.tls.certificate", "no PEM", "chain"]
    if case == "certificate is a key":
        return pki.tls(certificate=pki.private_key), ["gateway.tls.certificate", "no PEM"]
    if case == "key missing":
        return pki.tls(private_key=missing), ["gateway.tls.private_key", "cannot read"]
    if case == "key not PEM":
        return pki.tls(private_key=junk), ["gateway.tls.private_key", "no PEM"]
    if case == "key of another certificate":
        other = pki.ca.issue_cert("localhost")
        other_key = folder / "other.key"
        other.private_key_pem.write_to_path(str(other_key))
        return pki.tls(private_key=other_key), [
            "gateway.tls.private_key",
            "not the key of the certificate in gateway.tls.certificate",
        ]
    if case == "key encrypted":
        encrypted = _encrypted(pki.private_key, folder / "encrypted.key")
        return pki.tls(private_key=encrypted), ["gateway.tls.private_key", "encrypted"]
    if case == "client_ca missing":
        return pki.tls(client_ca=missing), ["gateway.tls.client_ca", "cannot read"]
    if case == "client_ca not PEM":
        return pki.tls(client_ca=junk), ["gateway.tls.client_ca", "no PEM"]
    if case == "client_ca a folder":
        return pki.tls(client_ca=folder), ["gateway.tls.client_ca", "cannot read"]
    raise AssertionError(case)


BAD_CASES = [
    "certificate missing",
    "certificate not PEM",
    "certificate is a key",
    "key missing",
    "key not PEM",
    "key of another certificate",
    "key encrypted",
    "client_ca missing",
    "client_ca not PEM",
    "client_ca a folder",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_tls_files_name_the_setting(pki: Pki, case: str) -> None:
    settings, words = _bad_tls(pki, case)
    with pytest.raises(GatewayConfigError) as caught:
        server_ssl_context(settings)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert "Traceback" not in message
    error = caught.value  # no chained OpenSSL or OS error either
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


async def test_bad_tls_stops_start_up_before_the_store_is_opened(
    tmp_path: Path, pki: Pki, start: StartGateway
) -> None:
    settings = tls_settings(tmp_path, pki.tls(certificate=pki.folder / "missing.pem"))
    with pytest.raises(GatewayConfigError, match=r"gateway\.tls\.certificate"):
        await start(settings)
    assert not (tmp_path / "outbox.sqlite3").exists()


def test_serve_says_which_tls_setting_is_wrong(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text(
        f'[gateway]\njwt_secret = "{SECRET}"\nport = 0\n'
        f'outbox_path = "{tmp_path / "outbox.sqlite3"}"\n'
        f'[gateway.tls]\ncertificate = "{pki.folder / "nope.crt"}"\n'
        f'private_key = "{pki.private_key}"\n'
    )
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        assert main(["serve", "--config", str(config)]) == 2
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "gateway.tls.certificate" in err
    assert "nope.crt" in err
    assert "Traceback" not in err


async def test_serve_prints_the_https_url_with_tls_from_the_environment(
    tmp_path: Path, pki: Pki
) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text(
        f'[gateway]\njwt_secret = "{SECRET}"\noutbox_path = "{tmp_path / "outbox.sqlite3"}"\n'
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TIDBOK_GATEWAY__TLS__CERTIFICATE": str(pki.certificate),
        "TIDBOK_GATEWAY__TLS__PRIVATE_KEY": str(pki.private_key),
        "TIDBOK_GATEWAY__TLS__CLIENT_CA": str(pki.ca_file),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tidbok",
        "serve",
        "--config",
        str(config),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(15):
            line = (await process.stdout.readline()).decode()
        assert "listening on https://127.0.0.1:" in line, line
        url = line.rsplit(" ", 1)[1].strip()
        async with httpx.AsyncClient(verify=pki.client_context(), timeout=5) as client:
            assert (await client.get(f"{url}/healthz")).json() == {"status": "ok"}
        process.send_signal(2)  # SIGINT
        async with asyncio.timeout(10):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


# --- the crm:scheduling producer's start-up checks ---------------------------------------------


@pytest.mark.parametrize("with_tls", [False, True])
async def test_riv_requiring_certificates_needs_a_client_ca(
    tmp_path: Path, pki: Pki, start: StartGateway, with_tls: bool
) -> None:
    tls = pki.tls(client_ca=None) if with_tls else None
    settings = tls_settings(tmp_path, tls, riv=RivSettings(enabled=True))
    with pytest.raises(GatewayConfigError) as caught:
        await start(settings)
    message = str(caught.value)
    assert "gateway.tls.client_ca" in message
    assert "riv.require_client_certificate = false" in message
    assert not (tmp_path / "outbox.sqlite3").exists()


async def test_riv_with_a_client_ca_starts_quietly(
    tmp_path: Path, pki: Pki, start: StartGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await start(tls_settings(tmp_path, pki.tls(), riv=RivSettings(enabled=True)))
    assert not [r for r in caplog.records if "require_client_certificate" in r.getMessage()]


async def test_riv_without_certificates_warns_once_at_start(
    tmp_path: Path, start: StartGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    riv = RivSettings(enabled=True, require_client_certificate=False)
    gateway = await start(tls_settings(tmp_path, None, riv=riv))
    async with httpx.AsyncClient(timeout=5) as client:
        assert (await client.get(f"{gateway.url}/healthz")).status_code == 200
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "anyone who reaches this port" in r.getMessage()
    ]
    assert len(warnings) == 1


# --- consumer_identity --------------------------------------------------------------------------


@dataclass
class ConsumerServer:
    """An app answering ``consumer_identity`` under ``riv``, served with the gateway's context."""

    pki: Pki
    url: str
    riv: RivSettings = field(default_factory=lambda: RivSettings(enabled=True))

    async def ask(
        self, cert: ClientCert | None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        async with httpx.AsyncClient(verify=self.pki.client_context(cert), timeout=5) as client:
            answer = await client.get(f"{self.url}/who", headers=headers)
        body: dict[str, Any] = answer.json()
        assert answer.status_code == (403 if "refused" in body else 200)
        return body


@pytest.fixture
async def consumers(pki: Pki) -> AsyncIterator[ConsumerServer]:
    holder: list[ConsumerServer] = []

    async def who(request: web.Request) -> web.Response:
        try:
            return web.json_response({"consumer": consumer_identity(request, holder[0].riv)})
        except ConsumerRefused as refused:
            return web.json_response({"refused": refused.reason}, status=403)

    app = web.Application()
    app.router.add_get("/who", who)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl_context(pki.tls()))
    await site.start()
    port = runner.addresses[0][1]
    holder.append(ConsumerServer(pki, f"https://127.0.0.1:{port}"))
    try:
        yield holder[0]
    finally:
        await runner.cleanup()


async def test_the_subject_serial_number_names_the_consumer_before_the_common_name(
    consumers: ConsumerServer, pki: Pki
) -> None:
    both = pki.client("both", serial_number="se2321000016-7p35", common_name="SE2321000016-CCCC")
    assert await consumers.ask(both) == {"consumer": CONSUMER}


async def test_without_a_serial_number_the_common_name_names_the_consumer(
    consumers: ConsumerServer, pki: Pki
) -> None:
    # trustme's own certificate: the certificate's serial number (peercert's top-level
    # "serialNumber") must not be taken for the subject's
    cn_only = pki.trustme_client("cn-only", common_name="se2321000016-abcd")
    assert await consumers.ask(cn_only) == {"consumer": "SE2321000016-ABCD"}


async def test_only_allowed_consumers_get_through(
    consumers: ConsumerServer, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tidbok.gateway.riv")
    consumers.riv = RivSettings(enabled=True, allowed_consumers=(CONSUMER.lower(),))
    allowed = pki.client("allowed", serial_number=CONSUMER)
    assert await consumers.ask(allowed) == {"consumer": CONSUMER}
    stranger = pki.client("stranger", serial_number=OTHER_CONSUMER)
    refused = await consumers.ask(stranger)
    assert refused == {"refused": "the consumer is not allowed to call this producer"}
    [record] = [r for r in caplog.records if r.name == "tidbok.gateway.riv"]
    assert record.levelno == logging.WARNING
    assert OTHER_CONSUMER in record.getMessage()


async def test_a_trusted_platform_names_the_original_consumer_in_the_header(
    consumers: ConsumerServer, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    consumers.riv = RivSettings(
        enabled=True,
        trusted_platforms=(PLATFORM,),
        allowed_consumers=(CONSUMER,),
    )
    platform = pki.client("platform", serial_number=PLATFORM.lower())
    header = consumers.riv.consumer_header
    assert await consumers.ask(platform, {header: CONSUMER.lower()}) == {"consumer": CONSUMER}
    # the platform's own id is not on the allowed list, nor is the other consumer
    assert "refused" in await consumers.ask(platform)
    assert "refused" in await consumers.ask(platform, {header: OTHER_CONSUMER})
    # a header that is no HSA-id is refused, not passed on
    garbage = await consumers.ask(platform, {header: "19121212-1212"})
    assert garbage == {"refused": f"the {header} header is not an HSA-id"}
    assert "1212" not in caplog.text  # the header's value is never logged
    assert f"consumer={OTHER_CONSUMER} via={PLATFORM}" in caplog.text


async def test_a_trusted_platform_without_the_header_is_the_consumer(
    consumers: ConsumerServer, pki: Pki
) -> None:
    consumers.riv = RivSettings(enabled=True, trusted_platforms=(PLATFORM,))
    platform = pki.client("platform", serial_number=PLATFORM)
    assert await consumers.ask(platform) == {"consumer": PLATFORM}
    blank = {consumers.riv.consumer_header: ""}
    assert await consumers.ask(platform, blank) == {"consumer": PLATFORM}


async def test_the_header_is_ignored_from_a_certificate_that_is_not_a_trusted_platform(
    consumers: ConsumerServer, pki: Pki
) -> None:
    consumers.riv = RivSettings(
        enabled=True, trusted_platforms=(PLATFORM,), allowed_consumers=(CONSUMER,)
    )
    header = consumers.riv.consumer_header
    impostor = pki.client("impostor", serial_number=OTHER_CONSUMER, common_name=PLATFORM)
    assert "refused" in await consumers.ask(impostor, {header: CONSUMER})
    consumers.riv = RivSettings(enabled=True, trusted_platforms=(PLATFORM,))
    assert await consumers.ask(impostor, {header: CONSUMER}) == {"consumer": OTHER_CONSUMER}


async def test_without_a_certificate_the_call_is_refused_when_one_is_required(
    consumers: ConsumerServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tidbok.gateway.riv")
    header = consumers.riv.consumer_header
    assert await consumers.ask(None, {header: CONSUMER}) == {
        "refused": "a client certificate is required"
    }
    assert any(r.name == "tidbok.gateway.riv" for r in caplog.records)


async def test_without_a_certificate_in_tests_the_header_names_the_consumer(
    consumers: ConsumerServer,
) -> None:
    consumers.riv = RivSettings(enabled=True, require_client_certificate=False)
    header = consumers.riv.consumer_header
    assert await consumers.ask(None, {header: CONSUMER.lower()}) == {"consumer": CONSUMER}
    assert await consumers.ask(None) == {"consumer": None}
    consumers.riv = RivSettings(
        enabled=True, require_client_certificate=False, allowed_consumers=(CONSUMER,)
    )
    assert await consumers.ask(None) == {"refused": "the consumer is not identified"}
    assert await consumers.ask(None, {header: CONSUMER}) == {"consumer": CONSUMER}
