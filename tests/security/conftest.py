"""The gateway fixtures of ``tests/gateway`` (a real loopback socket over in-memory systems)."""

from tests.gateway.conftest import gw, inbox

__all__ = ["gw", "inbox"]
