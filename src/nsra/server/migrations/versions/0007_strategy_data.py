"""strategy data: the effects, cost, status, lead and side effects of measures;
international developments; capabilities; whether estimates are current or inherent risk

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capabilities",
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("needed", sa.JSON(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_capabilities_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capabilities")),
        sa.UniqueConstraint("assessment_id", "key", name=op.f("uq_capabilities_assessment_id_key")),
    )
    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capabilities_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "developments",
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("where", sa.JSON(), nullable=True),
        sa.Column("horizon", sa.Integer(), nullable=True),
        sa.Column("effects", sa.JSON(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_developments_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_developments")),
        sa.UniqueConstraint("assessment_id", "key", name=op.f("uq_developments_assessment_id_key")),
    )
    with op.batch_alter_table("developments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_developments_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "capability_owners",
        sa.Column("capability_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["capability_id"],
            ["capabilities.id"],
            name=op.f("fk_capability_owners_capability_id_capabilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_capability_owners_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capability_owners")),
        sa.UniqueConstraint(
            "capability_id", "position", name=op.f("uq_capability_owners_capability_id_position")
        ),
    )
    with op.batch_alter_table("capability_owners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capability_owners_capability_id"), ["capability_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capability_owners_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "development_sources",
        sa.Column("development_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["development_id"],
            ["developments.id"],
            name=op.f("fk_development_sources_development_id_developments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_sources")),
    )
    with op.batch_alter_table("development_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_development_sources_development_id"), ["development_id"], unique=False
        )

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "measures_basis", sa.String(length=16), server_default="current", nullable=False
            )
        )

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="in_place", nullable=False)
        )
        batch_op.add_column(sa.Column("cost", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("effects", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("side_effects", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_measures_lead_id"), ["lead_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_measures_lead_id_organisations"), "organisations", ["lead_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_measures_lead_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_measures_lead_id"))
        batch_op.drop_column("side_effects")
        batch_op.drop_column("effects")
        batch_op.drop_column("cost")
        batch_op.drop_column("status")
        batch_op.drop_column("lead_id")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("measures_basis")

    with op.batch_alter_table("development_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_development_sources_development_id"))

    op.drop_table("development_sources")
    with op.batch_alter_table("capability_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capability_owners_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_capability_owners_capability_id"))

    op.drop_table("capability_owners")
    with op.batch_alter_table("developments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_developments_assessment_id"))

    op.drop_table("developments")
    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capabilities_assessment_id"))

    op.drop_table("capabilities")
