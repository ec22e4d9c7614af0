"""audit entries: the rule their hash was made by (1: the content columns; 2: every column)

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04 21:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the entries written so far keep their rule (1), so their chain verifies as before
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(
            sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    # entries of rule 2 no longer verify under an nsra that knows only rule 1
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("hash_version")
