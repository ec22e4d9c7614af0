"""report content: texts per language for rationales, analyst names and source titles; the
themes catalogue; the kind of a scenario (acute or chronic) with its trend and horizon

A text of the file may now be given per language. Each such column keeps its plain text where
it was and gains a JSON column beside it for a text per language (``*_tr``): old rows are
unchanged and read as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSLATED = (
    ("estimates", "rationale"),
    ("consensus", "rationale"),
    ("cascades", "rationale"),
    ("estimate_entries", "rationale"),
    ("consensus_entries", "rationale"),
    ("cascade_entries", "rationale"),
    ("analysts", "name"),
    ("scenario_sources", "title"),
    ("strategy_sources", "title"),
    ("development_sources", "title"),
)


def upgrade() -> None:
    for table, column in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{column}_tr", sa.JSON(), nullable=True))
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), server_default="acute", nullable=False)
        )
        batch_op.add_column(sa.Column("trend", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("horizon", sa.Integer(), nullable=True))
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("themes", sa.JSON(), nullable=True))


def downgrade() -> None:
    """The texts per language, the themes catalogue and the chronic risks' fields go."""
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("themes")
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.drop_column("horizon")
        batch_op.drop_column("trend")
        batch_op.drop_column("kind")
    for table, column in reversed(TRANSLATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(f"{column}_tr")
