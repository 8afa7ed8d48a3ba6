"""The PASiS mock: Swedish names, API key, local times, offset paging, felkod errors."""

from .app import DEFAULT_API_KEY, PasisServer, create_pasis_app, run_pasis

__all__ = ["DEFAULT_API_KEY", "PasisServer", "create_pasis_app", "run_pasis"]
