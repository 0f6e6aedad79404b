"""initial schema

Revision ID: 3b62699fc391
Revises:
Create Date: 2026-11-27 06:55:41.270895
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schedcu.models

revision: str = "3b62699fc391"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hospital",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("amion_base_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital")),
        sa.UniqueConstraint("code", name=op.f("uq_hospital_code")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("amion_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column(
            "specialty",
            sa.Enum("BODY_ONLY", "NEURO_ONLY", "BOTH", name="specialty", native_enum=False),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospital.id"],
            name=op.f("fk_person_hospital_id_hospital"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("hospital_id", "amion_id", name="uq_person_hospital_amion_id"),
        sa.UniqueConstraint("hospital_id", "name_key", name="uq_person_hospital_name"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_hospital_id"), ["hospital_id"], unique=False)

    op.create_table(
        "schedule_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("DRAFT", "ACTIVE", "ARCHIVED", name="versionstatus", native_enum=False),
            nullable=False,
        ),
        sa.Column("effective_start", sa.Date(), nullable=False),
        sa.Column("effective_end", sa.Date(), nullable=False),
        sa.Column("source_filename", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "layout",
            sa.Enum("matrix", "flat", name="templatelayout", native_enum=False),
            nullable=False,
        ),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospital.id"],
            name=op.f("fk_schedule_version_hospital_id_hospital"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_version")),
        sa.UniqueConstraint(
            "hospital_id",
            "source_sha256",
            "effective_start",
            "effective_end",
            name="uq_schedule_version_identity",
        ),
    )
    with op.batch_alter_table("schedule_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_version_hospital_id"), ["hospital_id"], unique=False
        )

    op.create_table(
        "coverage_calculation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("calculated_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "layout",
            sa.Enum("matrix", "flat", name="templatelayout", native_enum=False),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["schedule_version.id"],
            name=op.f("fk_coverage_calculation_version_id_schedule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_calculation")),
    )
    with op.batch_alter_table("coverage_calculation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_calculation_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "scrape_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("PENDING", "COMPLETE", "FAILED", name="scrapestate", native_enum=False),
            nullable=False,
        ),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("exports_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("error_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("started_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", schedcu.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospital.id"],
            name=op.f("fk_scrape_batch_hospital_id_hospital"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["schedule_version.id"],
            name=op.f("fk_scrape_batch_version_id_schedule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrape_batch")),
    )
    with op.batch_alter_table("scrape_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scrape_batch_hospital_id"), ["hospital_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scrape_batch_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "shift_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("scenario", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("sheet_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("start_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("study_types", sa.JSON(), nullable=False),
        sa.Column("study_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "specialty_constraint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("required_staffing", sa.Integer(), nullable=True),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["schedule_version.id"],
            name=op.f("fk_shift_instance_version_id_schedule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_instance")),
    )
    with op.batch_alter_table("shift_instance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shift_instance_version_date", ["version_id", "service_date"], unique=False
        )

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("shift_instance_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("shift_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("start_at", schedcu.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_at", schedcu.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "source",
            sa.Enum("AMION", "MANUAL", name="assignmentsource", native_enum=False),
            nullable=False,
        ),
        sa.Column("scrape_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_assignment_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scrape_batch_id"],
            ["scrape_batch.id"],
            name=op.f("fk_assignment_scrape_batch_id_scrape_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_instance_id"],
            ["shift_instance.id"],
            name=op.f("fk_assignment_shift_instance_id_shift_instance"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["schedule_version.id"],
            name=op.f("fk_assignment_version_id_schedule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assignment_scrape_batch_id"), ["scrape_batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_shift_instance_id"), ["shift_instance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_version_id"), ["version_id"], unique=False)

    op.create_table(
        "coverage_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calculation_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("segment_start", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("segment_end", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("study_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "COVERED",
                "UNSTAFFED",
                "NO_RULE",
                "FULL",
                "PARTIAL",
                "UNCOVERED",
                name="coveragestatus",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("persons", sa.JSON(), nullable=False),
        sa.Column("shift_instance_id", sa.Integer(), nullable=True),
        sa.Column("required", sa.Integer(), nullable=True),
        sa.Column("assigned", sa.Integer(), nullable=True),
        sa.Column("percentage", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["calculation_id"],
            ["coverage_calculation.id"],
            name=op.f("fk_coverage_row_calculation_id_coverage_calculation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_instance_id"],
            ["shift_instance.id"],
            name=op.f("fk_coverage_row_shift_instance_id_shift_instance"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_row")),
    )
    with op.batch_alter_table("coverage_row", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_row_calculation_id"), ["calculation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("coverage_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_row_calculation_id"))

    op.drop_table("coverage_row")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_version_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_shift_instance_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_scrape_batch_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_person_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("shift_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_instance_version_date")

    op.drop_table("shift_instance")
    with op.batch_alter_table("scrape_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scrape_batch_version_id"))
        batch_op.drop_index(batch_op.f("ix_scrape_batch_hospital_id"))

    op.drop_table("scrape_batch")
    with op.batch_alter_table("coverage_calculation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_calculation_version_id"))

    op.drop_table("coverage_calculation")
    with op.batch_alter_table("schedule_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_version_hospital_id"))

    op.drop_table("schedule_version")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_hospital_id"))

    op.drop_table("person")
    op.drop_table("hospital")
