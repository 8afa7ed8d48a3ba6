"""A throwaway PKI for tests: a trustme CA, the gateway's certificate, client certificates.

The gateway's certificate is for 127.0.0.1 and localhost. Client certificates carry HSA-ids in
the subject's ``serialNumber`` (SITHS style, built with ``cryptography``) or ``commonName``.
Used by tests/gateway/test_tls.py and tests/riv/test_mutual_tls.py.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tidbok.settings import TlsSettings


@dataclass
class ClientCert:
    """A client certificate and its key on disk."""

    certificate: Path
    key: Path


@dataclass
class Pki:
    """The test CA, the gateway's files and a way to make client certificates."""

    ca: trustme.CA
    ca_file: Path
    certificate: Path
    private_key: Path
    folder: Path

    def tls(self, **changes: Any) -> TlsSettings:
        fields: dict[str, Any] = {
            "certificate": self.certificate,
            "private_key": self.private_key,
            "client_ca": self.ca_file,
        }
        return TlsSettings(**{**fields, **changes})

    def client(
        self,
        name: str,
        *,
        serial_number: str | None = None,
        common_name: str | None = None,
        ca: trustme.CA | None = None,
        expired: bool = False,
    ) -> ClientCert:
        """A client certificate whose subject carries ``serial_number`` and/or ``common_name``."""
        issuer = ca or self.ca
        issuer_cert = x509.load_pem_x509_certificate(issuer.cert_pem.bytes())
        issuer_key = load_pem_private_key(issuer.private_key_pem.bytes(), None)
        assert isinstance(issuer_key, ec.EllipticCurvePrivateKey)
        key = ec.generate_private_key(ec.SECP256R1())
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testregionen"),
        ]
        if serial_number is not None:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
        if common_name is not None:
            attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
        now = datetime.now(UTC)
        start, end = (
            (now - timedelta(days=10), now - timedelta(days=1))
            if expired
            else (now - timedelta(hours=1), now + timedelta(days=1))
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(issuer_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(issuer_key, hashes.SHA256())
        )
        cert_path = self.folder / f"{name}.crt"
        key_path = self.folder / f"{name}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return ClientCert(cert_path, key_path)

    def trustme_client(self, name: str, common_name: str) -> ClientCert:
        """A client certificate from trustme's own ``issue_cert`` (subject CN only)."""
        leaf = self.ca.issue_cert(f"{name}.example", common_name=common_name)
        cert_path, key_path = self.folder / f"{name}.crt", self.folder / f"{name}.key"
        leaf.cert_chain_pems[0].write_to_path(str(cert_path))
        leaf.private_key_pem.write_to_path(str(key_path))
        return ClientCert(cert_path, key_path)

    def client_context(self, cert: ClientCert | None = None) -> ssl.SSLContext:
        """A client's context: trusts the test CA, presents ``cert`` if given."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if cert is not None:
            context.load_cert_chain(cert.certificate, cert.key)
        return context


def new_pki(folder: Path) -> Pki:
    """A new CA, and the gateway's certificate and key for 127.0.0.1/localhost, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = ca.issue_cert("127.0.0.1", "localhost")
    certificate, private_key = folder / "gateway.crt", folder / "gateway.key"
    server.cert_chain_pems[0].write_to_path(str(certificate))
    server.private_key_pem.write_to_path(str(private_key))
    return Pki(ca, ca_file, certificate, private_key, folder)
