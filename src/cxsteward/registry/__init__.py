"""Persistence: SQLAlchemy tables, sessions and Alembic migrations. Never computes metrics."""
