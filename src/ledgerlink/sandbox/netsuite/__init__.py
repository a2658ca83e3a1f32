"""An emulator of one NetSuite account's REST web services (records and SuiteQL) for the sandbox.

It speaks the contract Ledgerlink's NetSuite connector relies on: token-based authentication,
``/services/rest/record/v1`` and ``/services/rest/query/v1/suiteql``, NetSuite's error envelope and its
account concurrency governance. State lives in one SQLite file so the emulator survives restarts and a
seed command can write while it serves. Entry points: :func:`ledgerlink.sandbox.netsuite.app.create_app`
and :func:`ledgerlink.sandbox.netsuite.seed.seed_netsuite`.
"""
