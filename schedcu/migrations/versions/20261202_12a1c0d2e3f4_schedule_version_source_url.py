"""schedule version: where its template came from

Revision ID: 12a1c0d2e3f4
Revises: 14b1c0d2e3f4
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "12a1c0d2e3f4"
down_revision: str | None = "14b1c0d2e3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "schedule_version",
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("schedule_version") as batch:
        batch.drop_column("source_url")
