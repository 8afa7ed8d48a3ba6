"""The store suite's PostgreSQL server (one per session, started by ``pgserver``) and its fresh
database per test: without the server these tests fail, they are never skipped."""

from tests.store.conftest import pg_server, pg_url

__all__ = ["pg_server", "pg_url"]
