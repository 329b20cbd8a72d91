"""Users, API tokens and the audit log over a real (in-memory SQLite) database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from common.errors import Conflict, FailedPrecondition, InvalidInput, Unauthenticated
from server.db.models import ApiToken, AuditLog, User
from server.services import auth, tokens
from server.services.audit import list_audit, record_audit
from server.services.paging import page_spec
from server.services.roles import Principal, Role


async def test_first_admin_and_login(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    async with memory_session_factory() as s, s.begin():
        assert not await auth.any_user_exists(s)
        admin = await auth.create_admin(s, username="alice", password="correct horse")
        assert admin.role is Role.ADMIN
        assert await auth.any_user_exists(s)
    async with memory_session_factory() as s, s.begin():
        assert await auth.authenticate_user(s, "alice", "wrong password") is None
        assert await auth.authenticate_user(s, "nobody", "correct horse") is None
        principal = await auth.authenticate_user(s, "alice", "correct horse")
    assert principal == Principal(name="alice", role=Role.ADMIN, kind="user", id=admin.id)
    async with memory_session_factory() as s:
        row = await s.scalar(select(User))
    assert row is not None and row.last_login_at is not None
    assert "correct horse" not in row.password_hash and row.password_hash.startswith("$argon2id$")


async def test_user_rules(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    async with memory_session_factory() as s, s.begin():
        admin = await auth.create_admin(s, username="root", password="12345678")
        viewer = await auth.create_user(s, username="view", password="abcdefgh", locale="zh-CN")
        assert viewer.role is Role.VIEWER and viewer.locale == "zh_CN"
    async with memory_session_factory() as s, s.begin():
        with pytest.raises(Conflict):
            await auth.create_user(s, username="ROOT", password="12345678")
        with pytest.raises(InvalidInput):
            await auth.create_user(s, username="short", password="1234567")
        with pytest.raises(InvalidInput):
            await auth.create_user(s, username=" bad name", password="12345678")
        with pytest.raises(InvalidInput):
            await auth.set_locale(s, viewer.id, "fr")
        with pytest.raises(FailedPrecondition):
            await auth.set_role(s, admin.id, Role.VIEWER)
        with pytest.raises(FailedPrecondition):
            await auth.set_active(s, admin.id, False)
        await auth.set_role(s, viewer.id, Role.ADMIN)
        assert (await auth.set_role(s, admin.id, Role.OPERATOR)).role is Role.OPERATOR
        await auth.set_active(s, viewer.id, True)
    async with memory_session_factory() as s, s.begin():
        await auth.set_password(s, viewer.id, "new password")
        await auth.set_active(s, admin.id, False)
    async with memory_session_factory() as s, s.begin():
        assert await auth.authenticate_user(s, "root", "12345678") is None  # inactive
        assert (await auth.authenticate_user(s, "view", "new password")) is not None
        assert [u.username for u in await auth.list_users(s)] == ["root", "view"]


async def test_token_lifecycle_and_hash_at_rest(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    async with memory_session_factory() as s, s.begin():
        created = await tokens.create_token(s, name="ci", role=Role.OPERATOR, created_by="user:alice")
    secret = created.secret
    assert secret.startswith("upk_") and len(secret) > 40
    assert created.info.prefix == secret[:12]
    async with memory_session_factory() as s:
        row = await s.scalar(select(ApiToken))
    assert row is not None and secret not in (row.token_hash, row.prefix) and row.token_hash == tokens.hash_token(secret)

    async with memory_session_factory() as s, s.begin():
        principal = await tokens.authenticate_token(s, secret)
    assert principal == Principal(name="ci", role=Role.OPERATOR, kind="token", id=created.info.id)
    async with memory_session_factory() as s:
        assert (await tokens.get_token(s, created.info.id)).last_used_at is not None

    async with memory_session_factory() as s, s.begin():
        for bad in (None, "", "upk_nope", secret + "x"):
            with pytest.raises(Unauthenticated):
                await tokens.authenticate_token(s, bad)
        revoked = await tokens.revoke_token(s, created.info.id)
        assert revoked.revoked_at is not None
    async with memory_session_factory() as s, s.begin():
        with pytest.raises(Unauthenticated):
            await tokens.authenticate_token(s, secret)
        assert (await tokens.list_tokens(s, page_spec(1, 10, maximum=100))).total == 0
        assert (await tokens.list_tokens(s, page_spec(1, 10, maximum=100), include_revoked=True)).total == 1


async def test_expired_token_is_refused(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    async with memory_session_factory() as s, s.begin():
        created = await tokens.create_token(s, name="short", role=Role.VIEWER, ttl=timedelta(hours=1))
        assert created.info.expires_at is not None
        await tokens.authenticate_token(s, created.secret)
        await s.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    async with memory_session_factory() as s, s.begin():
        with pytest.raises(Unauthenticated):
            await tokens.authenticate_token(s, created.secret)
        with pytest.raises(InvalidInput):
            await tokens.create_token(s, name="x", role=Role.VIEWER, ttl=timedelta(0))


async def test_audit_rows(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    who = Principal(name="ci", role=Role.ADMIN, kind="token", id=3)
    async with memory_session_factory() as s, s.begin():
        await record_audit(s, who, "release.publish", "release", 7, {"version": "1.2.0"}, "127.0.0.1")
        await record_audit(s, None, "user.create", "user", 1)
    async with memory_session_factory() as s:
        rows = (await s.scalars(select(AuditLog).order_by(AuditLog.id))).all()
        page = await list_audit(s, page_spec(1, 10, maximum=100), actor="token:ci")
    assert [(r.actor, r.action, r.target_id, r.detail, r.ip) for r in rows] == [
        ("token:ci", "release.publish", "7", {"version": "1.2.0"}, "127.0.0.1"),
        ("system", "user.create", "1", None, None),
    ]
    assert page.total == 1 and page.items[0].action == "release.publish"


def test_page_bounds() -> None:
    assert page_spec(0, 0, maximum=100).size == 20
    assert page_spec(3, 10, maximum=100).offset == 20
    with pytest.raises(InvalidInput) as info:
        page_spec(1, 101, maximum=100)
    assert info.value.error_code == "PAGE_TOO_LARGE"
    with pytest.raises(InvalidInput):
        page_spec(-1, 10, maximum=100)
