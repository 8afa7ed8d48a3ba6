"""The riv mock: a crm:scheduling 1.1 producer (RIV-TA BP 2.1, SOAP 1.1) on the common schedule."""

from .app import DEFAULT_CHANGE_CUTOFF_HOURS, RivServer, create_riv_app, run_riv

__all__ = ["DEFAULT_CHANGE_CUTOFF_HOURS", "RivServer", "create_riv_app", "run_riv"]
