"""The store suite's PostgreSQL server (one per session, started by ``pgserver``) and its
database, emptied for each test: without the server these tests fail, they are never skipped."""

from tests.store.conftest import pg_database, pg_server, pg_url

__all__ = ["pg_database", "pg_server", "pg_url"]
