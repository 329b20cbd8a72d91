"""Update rules may be limited to one channel (`update_rules.channel_id`).

Revision ID: 0003_rule_channel
Revises: 0002_agent_metrics
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_rule_channel'
down_revision: str | Sequence[str] | None = '0002_agent_metrics'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('update_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_update_rules_channel_id_channels'), 'channels', ['channel_id'],
                                    ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('update_rules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_update_rules_channel_id_channels'), type_='foreignkey')
        batch_op.drop_column('channel_id')
