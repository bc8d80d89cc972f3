"""Console users: creation and password checks (argon2 through pwdlib)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.domain.passwords import hash_secret, verify_secret
from models.user import ROLES, User

MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    pass


def hash_password(password: str) -> str:
    return hash_secret(password)


def create_user(
    session: Session, *, username: str, password: str, role: str, full_name: str = "",
    phone: str | None = None,
) -> User:
    if role not in ROLES:
        raise UserError(f"vai trò không hợp lệ: {role} (operator, supervisor, admin)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"tài khoản {username} đã tồn tại")
    user = User(username=username, role=role, full_name=full_name, phone=phone,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, *, user: User, active: bool) -> None:
    """Disable (or enable again) an account; a disabled account's sessions end at once
    (callcenter.console.deps reloads the user on every request)."""
    user.active = active
    session.flush()


def random_password() -> str:
    """12 characters, 72 random bits: for an account an admin creates or resets."""
    return secrets.token_urlsafe(9)


def reset_password(session: Session, *, user: User) -> str:
    """A new random password for the account, returned once to be handed over; only its
    hash is kept."""
    password = random_password()
    user.password_hash = hash_password(password)
    session.flush()
    return password


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; with no hash (no such user) a throwaway one is checked,
    so the time taken does not tell whether the user exists. CPU-bound (~50 ms, 64 MB):
    call it from a thread, never from the event loop."""
    return verify_secret(password, password_hash)


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this password, or None (synchronous: for the command line and
    tests; logins over HTTP go through callcenter.auth.login)."""
    user = session.scalar(select(User).where(User.username == username))
    usable = user is not None and user.active
    if not verify_password(password, user.password_hash if usable and user else None):
        return None
    return user
