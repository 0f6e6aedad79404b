"""what changed: the inputs and the comparison stored with each coverage calculation

Revision ID: 14b1c0d2e3f4
Revises: 14a1c0d2e3f4
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "14b1c0d2e3f4"
down_revision: str | None = "14a1c0d2e3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coverage_calculation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inputs_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("inputs", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coverage_calculation", schema=None) as batch_op:
        batch_op.drop_column("changes")
        batch_op.drop_column("inputs")
        batch_op.drop_column("inputs_sha256")
