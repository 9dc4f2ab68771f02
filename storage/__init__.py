"""Persistence: SQLModel tables, the engine factory and the queries over them."""
