"""version promotion: the days each ACTIVE version holds, and the history of version statuses

Revision ID: 14a1c0d2e3f4
Revises: 3b62699fc391
Create Date: 2026-11-29 22:30:01.328619

No code set a version ACTIVE before this revision, so one that is (set by hand) holds no days
and could overlap another: it is set back to DRAFT, with a history row saying why.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schedcu.models

revision: str = "14a1c0d2e3f4"
down_revision: str | None = "3b62699fc391"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum("DRAFT", "ACTIVE", "ARCHIVED", name="versionstatus", native_enum=False)
RESET_BY = "schedcu migration 14a1c0d2e3f4"
RESET_REASON = "Set ACTIVE before schedcu could promote versions; promote it again if it is wanted."


def upgrade() -> None:
    # The key the active days refer to must exist before their foreign key (PostgreSQL).
    op.create_index(
        "uq_schedule_version_id_hospital_status",
        "schedule_version",
        ["id", "hospital_id", "status"],
        unique=True,
    )
    op.create_table(
        "active_day",
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.CheckConstraint("status = 'ACTIVE'", name=op.f("ck_active_day_active_only")),
        sa.ForeignKeyConstraint(
            ["version_id", "hospital_id", "status"],
            ["schedule_version.id", "schedule_version.hospital_id", "schedule_version.status"],
            name="fk_active_day_version_hospital_status",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hospital_id", "service_date", name=op.f("pk_active_day")),
    )
    op.create_index(op.f("ix_active_day_version_id"), "active_day", ["version_id"], unique=False)
    changes = op.create_table(
        "version_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("from_status", STATUS, nullable=False),
        sa.Column("to_status", STATUS, nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("changed_at", schedcu.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["schedule_version.id"],
            name=op.f("fk_version_status_change_version_id_schedule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_status_change")),
    )
    op.create_index(
        op.f("ix_version_status_change_version_id"),
        "version_status_change",
        ["version_id"],
        unique=False,
    )
    _reset_active_versions(changes)


def _reset_active_versions(changes: sa.Table) -> None:
    versions = sa.table("schedule_version", sa.column("id"), sa.column("status"))
    op.execute(
        changes.insert().from_select(
            ["version_id", "from_status", "to_status", "changed_by", "changed_at", "reason"],
            sa.select(
                versions.c.id,
                sa.literal("ACTIVE"),
                sa.literal("DRAFT"),
                sa.literal(RESET_BY),
                sa.literal(schedcu.models.utcnow(), schedcu.models.UtcDateTime()),
                sa.literal(RESET_REASON),
            ).where(versions.c.status == "ACTIVE"),
        )
    )
    op.execute(versions.update().where(versions.c.status == "ACTIVE").values(status="DRAFT"))


def downgrade() -> None:
    op.drop_index(op.f("ix_version_status_change_version_id"), table_name="version_status_change")
    op.drop_table("version_status_change")
    op.drop_index(op.f("ix_active_day_version_id"), table_name="active_day")
    op.drop_table("active_day")
    op.drop_index("uq_schedule_version_id_hospital_status", table_name="schedule_version")
