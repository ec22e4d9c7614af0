"""Database, API and web (later issues)."""
