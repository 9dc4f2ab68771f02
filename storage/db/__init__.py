"""The database itself: the engine factory for SQLite and PostgreSQL, short read and write sessions,
every table (``models``), the Alembic driver that upgrades a database at start-up (the revisions
are in ``storage/migrations``), the admin's key/value settings and the overall counts."""
