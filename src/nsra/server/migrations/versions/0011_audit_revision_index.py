"""an index on the audit entries by assessment and sequence number: an assessment's newest entry
(the revision the results cache checks on every read) is found without reading all its entries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index("ix_audit_entries_assessment_seq", ["assessment_id", "seq"])
        batch.drop_index("ix_audit_entries_assessment_id")


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index("ix_audit_entries_assessment_id", ["assessment_id"])
        batch.drop_index("ix_audit_entries_assessment_seq")
