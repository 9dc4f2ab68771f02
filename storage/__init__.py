"""Persistence: the SQLModel tables, the engine and sessions, and the queries over them, one room per
concept — ``db`` (engine, sessions, tables, migrations driver), ``votes`` (the vote ledger and every
reader and writer of votes), ``workflow`` (the human queue: assignments, spot checks, gold,
adjudication, campaigns, guidelines), ``bank`` (releases, questions, events and generated
candidates), ``runs`` (endpoints, collected answers, run bookkeeping) and ``people`` (accounts and
the audit trail). Every query takes ``*, session``; the Alembic revisions live in ``migrations/``."""
