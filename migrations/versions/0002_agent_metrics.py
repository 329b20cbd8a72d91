"""Agent metrics: numeric telemetry kept per agent.

Revision ID: 0002_agent_metrics
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_agent_metrics"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_metrics",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("labels", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_agent_metrics_client_id_clients"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_metrics")),
    )
    with op.batch_alter_table("agent_metrics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_metrics_client_id_name_observed_at"), ["client_id", "name", "observed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agent_metrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_metrics_client_id_name_observed_at"))
    op.drop_table("agent_metrics")
