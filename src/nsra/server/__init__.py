"""The multi-user server: database (SQLAlchemy, Alembic migrations), REST API (FastAPI),
interdepartmental workflow (Delphi rounds), published versions and the audit trail."""
