"""Console users: argon2 password hashes, roles, locale, first-admin creation.

Stable API for the console (issue #7) and the CLI:

    any_user_exists(session) -> bool
    create_user(session, username=, password=, role=, locale=) -> UserInfo
    create_admin(session, username=, password=) -> UserInfo
    authenticate_user(session, username, password) -> Principal | None
    list_users(session) -> list[UserInfo]
    get_user(session, user_id) -> UserInfo
    set_role(session, user_id, role) -> UserInfo
    set_locale(session, user_id, locale) -> UserInfo
    set_active(session, user_id, active) -> UserInfo
    set_password(session, user_id, password) -> UserInfo

Password hashing runs in a worker thread (argon2 is deliberately slow). An unknown or
inactive user costs one verification against a dummy hash, so the answer time does not
reveal whether a username exists. The last active admin cannot be demoted or disabled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import Conflict, FailedPrecondition, InvalidInput, NotFound
from common.i18n import LOCALES, N_, normalize_locale
from server.db.models import User
from server.services.roles import Principal, Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "UserInfo",
    "any_user_exists",
    "authenticate_user",
    "create_admin",
    "create_user",
    "get_user",
    "list_users",
    "set_active",
    "set_locale",
    "set_password",
    "set_role",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")

BAD_USERNAME = N_("A username is 2-64 letters, digits or . _ @ - and starts with a letter or digit.")
SHORT_PASSWORD = N_("The password must be at least {minimum} characters long.")
LONG_PASSWORD = N_("The password must be at most {maximum} characters long.")
USER_EXISTS = N_("The user {username} already exists.")
USER_NOT_FOUND = N_("User {user_id} was not found.")
LAST_ADMIN = N_("The last active admin cannot be demoted or disabled.")
UNKNOWN_LOCALE = N_("Unknown language {locale}; use one of: {choices}.")

_hasher = PasswordHasher()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UserInfo:
    id: int
    username: str
    role: Role
    #: Console language; None = follow the browser.
    locale: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_orm(cls, user: User) -> UserInfo:
        return cls(
            id=user.id, username=user.username, role=Role.parse(user.role), locale=user.locale,
            is_active=user.is_active, created_at=user.created_at, last_login_at=user.last_login_at,
        )

    def principal(self) -> Principal:
        return Principal(name=self.username, role=self.role, kind="user", id=self.id)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("upkeep-timing-equaliser")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(SHORT_PASSWORD, error_code="WEAK_PASSWORD", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(LONG_PASSWORD, error_code="INVALID_PASSWORD", maximum=MAX_PASSWORD_LENGTH)


def _check_locale(locale: str | None) -> str | None:
    if locale is None:
        return None
    normal = normalize_locale(locale)
    if normal not in LOCALES:
        raise InvalidInput(UNKNOWN_LOCALE, error_code="INVALID_LOCALE", locale=locale, choices=", ".join(LOCALES))
    return normal


async def any_user_exists(session: AsyncSession) -> bool:
    """False until the first user exists (the console then offers first-admin creation)."""
    return (await session.scalar(select(User.id).limit(1))) is not None


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role = Role.VIEWER,
    locale: str | None = None,
) -> UserInfo:
    """A new active user; Conflict (409) when the username is taken."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput(BAD_USERNAME, error_code="INVALID_USERNAME")
    _check_password(password)
    locale = _check_locale(locale)
    if await session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict(USER_EXISTS, error_code="USER_EXISTS", username=username)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    user = User(username=username, password_hash=password_hash, role=role.label, locale=locale, is_active=True)
    session.add(user)
    await session.flush()
    return UserInfo.from_orm(user)


async def create_admin(session: AsyncSession, *, username: str, password: str) -> UserInfo:
    """A new user with the admin role (``upkeep-server create-admin``, console first start)."""
    return await create_user(session, username=username, password=password, role=Role.ADMIN)


async def authenticate_user(session: AsyncSession, username: str, password: str) -> Principal | None:
    """The user's principal when the password matches and the user is active, else None.

    Records ``last_login_at`` and upgrades an outdated hash on success.
    """
    user = await session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active:
        await asyncio.to_thread(_verify, _dummy_hash(), password)
        return None
    if not await asyncio.to_thread(_verify, user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(_hasher.hash, password)
    user.last_login_at = datetime.now(UTC)
    await session.flush()
    return UserInfo.from_orm(user).principal()


async def list_users(session: AsyncSession) -> list[UserInfo]:
    """Every user, by username."""
    rows = await session.scalars(select(User).order_by(User.username))
    return [UserInfo.from_orm(u) for u in rows]


async def _load(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND, error_code="USER_NOT_FOUND", user_id=user_id)
    return user


async def get_user(session: AsyncSession, user_id: int) -> UserInfo:
    return UserInfo.from_orm(await _load(session, user_id))


async def _guard_last_admin(session: AsyncSession, user: User) -> None:
    if user.role != Role.ADMIN.label or not user.is_active:
        return
    admins = await session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.label, User.is_active.is_(True))
    )
    if (admins or 0) <= 1:
        raise FailedPrecondition(LAST_ADMIN, error_code="LAST_ADMIN")


async def set_role(session: AsyncSession, user_id: int, role: Role) -> UserInfo:
    user = await _load(session, user_id)
    if role != Role.ADMIN:
        await _guard_last_admin(session, user)
    user.role = role.label
    await session.flush()
    return UserInfo.from_orm(user)


async def set_locale(session: AsyncSession, user_id: int, locale: str | None) -> UserInfo:
    """The user's console language (``en``, ``zh_CN``); None = follow the browser."""
    user = await _load(session, user_id)
    user.locale = _check_locale(locale)
    await session.flush()
    return UserInfo.from_orm(user)


async def set_active(session: AsyncSession, user_id: int, active: bool) -> UserInfo:
    user = await _load(session, user_id)
    if not active:
        await _guard_last_admin(session, user)
    user.is_active = active
    await session.flush()
    return UserInfo.from_orm(user)


async def set_password(session: AsyncSession, user_id: int, password: str) -> UserInfo:
    _check_password(password)
    user = await _load(session, user_id)
    user.password_hash = await asyncio.to_thread(_hasher.hash, password)
    await session.flush()
    return UserInfo.from_orm(user)
