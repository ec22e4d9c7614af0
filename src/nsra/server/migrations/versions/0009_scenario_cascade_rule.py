"""the cascade rule of a scenario (where in an event graph it passes effects on, a pass rule of
the method's cascade simulation)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04 21:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.add_column(sa.Column("cascade_rule", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("cascade_rule")
