"""The database: schema (:mod:`.models`), migrations, methods, import and export of assessments.

SQLite by default (``nsra.db`` in the current directory), PostgreSQL through a URL; both behave
the same because the code uses no engine-specific SQL.
"""

from nsra.server.db import (  # noqa: F401 (their tables)
    access,
    analysis_jobs,
    audit,
    jobs,
    versions,
    workflow,
)
from nsra.server.db.engine import DEFAULT_URL, ENV_VAR, database_url, make_engine, upgrade
from nsra.server.db.exporting import assessment_data, export_file
from nsra.server.db.importing import import_file, store_assessment

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "assessment_data",
    "database_url",
    "export_file",
    "import_file",
    "make_engine",
    "store_assessment",
    "upgrade",
]
