"""The WSDLs and schemas the producer serves (placeholder: none yet, every name is unknown)."""

from __future__ import annotations


def wsdl_document(operation: str, endpoint_url: str) -> bytes:
    """The WSDL of ``operation`` (none yet: KeyError)."""
    raise KeyError(operation)


def schema_document(name: str, endpoint_url: str) -> bytes:
    """The schema ``name`` (none yet: KeyError)."""
    raise KeyError(name)
