"""`client_activity` rows for any action (``*``): client counts without COUNT(DISTINCT).

Revision ID: 0005_any_action_activity
Revises: 0004_stats_clients
Create Date: 2026-11-24

Each client gets one ``*`` row holding its newest event of any action, filled from its
per-action rows.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_any_action_activity'
down_revision: str | Sequence[str] | None = '0004_stats_clients'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = "'check', 'download', 'install', 'success', 'failed'"


def upgrade() -> None:
    with op.batch_alter_table('client_activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_client_activity_action'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_client_activity_action'), f"action IN ({ACTIONS}, '*')")
    activity = sa.table('client_activity', *(sa.column(c) for c in (
        'project_id', 'client_id', 'action', 'version', 'region')), sa.column('last_at', sa.DateTime(timezone=True)))
    bind = op.get_bind()
    newest: dict[tuple, dict] = {}
    rows = bind.execute(sa.select(activity).where(activity.c.action != '*').execution_options(yield_per=10_000))
    for project_id, client_id, _action, version, region, last_at in rows:
        seen = newest.get((project_id, client_id))
        if seen is None or seen['last_at'] <= last_at:
            newest[(project_id, client_id)] = dict(project_id=project_id, client_id=client_id, action='*',
                                                   version=version, region=region, last_at=last_at)
    values = list(newest.values())
    for start in range(0, len(values), 1000):
        bind.execute(activity.insert(), values[start:start + 1000])


def downgrade() -> None:
    op.execute("DELETE FROM client_activity WHERE action = '*'")
    with op.batch_alter_table('client_activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_client_activity_action'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_client_activity_action'), f"action IN ({ACTIONS})")
