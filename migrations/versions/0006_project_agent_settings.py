"""Per-project agent settings pushed in the control stream: health check timeout, backup retention.

Revision ID: 0006_project_agent_settings
Revises: 0005_any_action_activity
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_project_agent_settings'
down_revision: str | Sequence[str] | None = '0005_any_action_activity'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.add_column(sa.Column('agent_health_timeout_s', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('agent_backup_retention', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('agent_backup_retention')
        batch.drop_column('agent_health_timeout_s')
