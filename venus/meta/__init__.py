"""The metadata store: Venus's own small relational data (custom config, anomaly rules and records),
on SQLAlchemy with Alembic migrations; SQLite by default, MariaDB or PostgreSQL by URL."""
