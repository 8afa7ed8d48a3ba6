"""crm:scheduling 1.1 (RIV-TA Basic Profile 2.1): the national booking contract 1177 speaks.

The facts come from the contract package as summarised in ``shared/crm-scheduling.md``:

- :mod:`tidbok.crm.namespaces`: namespaces, the 11 operations and their SOAPActions;
- :mod:`tidbok.crm.times`: 14-digit local timestamps and 8-digit dates;
- :mod:`tidbok.crm.xml`: the declarative element layer (exact order out, liberal parsing in);
- :mod:`tidbok.crm.types` and :mod:`tidbok.crm.messages`: the typed messages of every operation;
- :mod:`tidbok.crm.envelope`: SOAP 1.1 envelopes, the two headers, faults;
- :mod:`tidbok.crm.wsdl`: the WSDLs and schemas the producer serves (``schemas/``).

The producer that answers 1177 lives in :mod:`tidbok.gateway.riv`; the ``riv`` plugin is the
consumer side.
"""
