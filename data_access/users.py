"""User administration (admins only): create, edit, deactivate, reset passwords.

Changes that alter what a user may do (role, region scope, deactivation, new password) end the user's
existing sessions at once. The last active admin can be neither demoted nor deactivated.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.auth import BCRYPT_MAX_BYTES, LANGUAGES, hash_password
from data_access.db import transaction
from data_access.errors import ValidationError, VersionConflict
from data_access.models import ROLES, Region, User
from data_access.policy import SYSTEM, Action, Role, Viewer, require
from data_access.scope import as_id, checked_id, refusal

USER_EDITABLE = frozenset({"display_name", "email", "role", "region_id", "is_active", "language"})
SESSION_ENDING = frozenset({"role", "region_id", "is_active"})
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{2,59}$")
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
MAX_DISPLAY_NAME, MAX_EMAIL = 100, 200  # User.display_name and User.email column sizes
MIN_PASSWORD_LENGTH = 8


def password_problems(password: str, username: str = "") -> list[tuple[str, str]]:
    """What is wrong with a new password, as (Chinese, English) sentences; empty when acceptable.

    At least 8 characters from at least three of: upper case, lower case, digits, symbols (the usual
    rule of China's graded protection standard), and not containing the username. At most 72 bytes in UTF-8:
    bcrypt cannot hash more (24 Chinese characters are 72 bytes).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append((f"密码至少 {MIN_PASSWORD_LENGTH} 位", f"at least {MIN_PASSWORD_LENGTH} characters"))
    if len(password.encode()) > BCRYPT_MAX_BYTES:
        problems.append((f"密码不能超过 {BCRYPT_MAX_BYTES} 字节（一个汉字占 3 字节，最多约 24 个汉字）",
                         f"at most {BCRYPT_MAX_BYTES} bytes (a Chinese character takes 3, so about 24 of them)"))
    classes = sum(bool(re.search(pattern, password)) for pattern in (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 3:
        problems.append(("须包含大写字母、小写字母、数字、符号中的至少三类",
                         "at least three of: upper case, lower case, digits, symbols"))
    if username and username.lower() in password.lower():
        problems.append(("不能包含用户名", "must not contain the username"))
    return problems


def _require_strong(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise ValidationError("Password too weak: " + "; ".join(en for _, en in problems),
                              message_zh="密码强度不足：" + "；".join(zh for zh, _ in problems))


def list_users(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Every user (admins only). Columns: id, username, display_name, email, role, region_id, region_zh,
    is_active, failed_logins, locked_until, language, version."""
    require(viewer, Action.MANAGE_USERS)
    statement = (
        select(User.id, User.username, User.display_name, User.email, User.role, User.region_id,
               Region.name_zh.label("region_zh"), User.is_active, User.failed_logins, User.locked_until,
               User.language, User.version)
        .outerjoin(Region, Region.id == User.region_id)
        .order_by(User.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame(rows, columns=["id", "username", "display_name", "email", "role", "region_id", "region_zh",
                                       "is_active", "failed_logins", "locked_until", "language", "version"])


def list_experts(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The active outside experts a rating round can assign (whoever opens rounds picks from them).
    Columns: id, username, display_name."""
    require(viewer, Action.MANAGE_RATING_ROUNDS)
    statement = (select(User.id, User.username, User.display_name)
                 .where(User.role == Role.EXPERT, User.is_active.is_(True)).order_by(User.username))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame(rows, columns=["id", "username", "display_name"])


def _check_text_fields(values: Mapping[str, Any]) -> None:
    """Display name and e-mail: text of the right shape within the column sizes (PostgreSQL would refuse
    a longer value with a database error; SQLite would store it)."""
    name = values["display_name"]
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("Display name is empty", message_zh="姓名不能为空")
    if len(name.strip()) > MAX_DISPLAY_NAME:
        raise ValidationError(f"Display name is longer than {MAX_DISPLAY_NAME} characters",
                              message_zh=f"姓名不能超过 {MAX_DISPLAY_NAME} 个字符")
    email = values.get("email")
    if email is not None and (not isinstance(email, str) or len(email) > MAX_EMAIL
                              or not EMAIL_PATTERN.fullmatch(email)):
        raise ValidationError(f"E-mail must look like name@example.com (at most {MAX_EMAIL} characters)",
                              message_zh=f"电子邮箱格式不正确（形如 name@example.com，最多 {MAX_EMAIL} 个字符）")
    if not isinstance(values.get("is_active", True), bool):
        raise ValidationError("'Active' must be true or false", message_zh="“启用”须为是或否")


def _validate(values: Mapping[str, Any], session: Session) -> None:
    _check_text_fields(values)
    if values["role"] not in ROLES:
        raise ValidationError(f"Unknown role {values['role']!r}", message_zh=f"未知角色 {values['role']!r}")
    if values["role"] == "district_official" and values["region_id"] is None:
        raise ValidationError("A district official needs a region", message_zh="区县专员必须指定所辖区域")
    if values["region_id"] is not None and (as_id(values["region_id"]) is None
                                            or session.get(Region, as_id(values["region_id"])) is None):
        raise refusal("region", ValidationError)
    if values.get("language", "zh") not in LANGUAGES:
        raise ValidationError("Unknown language", message_zh="不支持的语言")


def _require_an_admin_remains(session: Session) -> None:
    admins = session.execute(
        select(func.count()).select_from(User).where(User.role == "admin", User.is_active.is_(True))
    ).scalar()
    if admins == 0:
        raise ValidationError("This would leave no active admin", message_zh="不能停用或降级最后一位系统管理员")


def create_user(
    engine: Engine,
    actor: Viewer,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    region_id: int | None = None,
    email: str | None = None,
) -> int:
    """Create a user; returns the new id. The password is stored only as a bcrypt hash."""
    require(actor, Action.MANAGE_USERS)
    username = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME_PATTERN.match(username):
        raise ValidationError("Username: 3–60 characters, a–z, digits, '_', '.', '-', starting with a letter",
                              message_zh="用户名须为 3–60 位小写字母、数字或 _ . -，并以字母开头")
    if username == SYSTEM.username:  # the audit log's name for the background evaluator
        raise ValidationError("The username 'system' is reserved", message_zh="用户名 system 为系统保留")
    _require_strong(password, username)
    with transaction(engine) as session:
        _validate({"role": role, "region_id": region_id, "display_name": display_name, "email": email}, session)
        if session.execute(select(User.id).where(User.username == username)).first():
            raise ValidationError(f"Username {username!r} is taken", message_zh=f"用户名 {username!r} 已存在")
        user = User(username=username, display_name=display_name.strip(), role=role, region_id=region_id,
                    email=email, password_hash=hash_password(password), is_active=True, failed_logins=0,
                    language="zh", version=1)
        session.add(user)
        session.flush()
        audit.append(session, actor=actor, action="user.create", entity="user", entity_id=user.id,
                     after={"username": username, "display_name": display_name, "role": role, "region_id": region_id})
        return user.id


def update_user(engine: Engine, actor: Viewer, user_id: int, expected_version: int, changes: Mapping[str, Any]) -> int:
    """Change a user's name, e-mail, role, region or active flag; returns the new version."""
    require(actor, Action.MANAGE_USERS)
    unknown = sorted(set(changes) - USER_EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")
    with transaction(engine) as session:
        user = session.get(User, checked_id(user_id, "user"))
        if user is None:
            raise refusal("user")
        before = {field: getattr(user, field) for field in changes}
        merged = {field: getattr(user, field) for field in USER_EDITABLE} | dict(changes)
        _validate(merged, session)
        values = dict(changes)
        if any(field in SESSION_ENDING and before[field] != changes[field] for field in changes):
            values["sessions_valid_after"] = dt.datetime.now(dt.UTC)
        result = session.execute(update(User).where(User.id == user_id, User.version == expected_version)
                                 .values(**values, version=User.version + 1))
        if result.rowcount != 1:
            raise VersionConflict(f"User {user_id} was changed by someone else; reload and try again",
                                  message_zh="该用户已被他人修改，请刷新后重试（您的修改未保存）")
        _require_an_admin_remains(session)
        audit.append(session, actor=actor, action="user.update", entity="user", entity_id=user_id, before=before,
                     after=dict(changes))
    return expected_version + 1


def reset_password(engine: Engine, actor: Viewer, user_id: int, new_password: str) -> None:
    """Set a new password, unlock the account and end the user's sessions. The password is never logged."""
    require(actor, Action.MANAGE_USERS)
    with transaction(engine) as session:
        user = session.get(User, checked_id(user_id, "user"))
        if user is None:
            raise refusal("user")
        _require_strong(new_password, user.username)
        user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
        user.sessions_valid_after = dt.datetime.now(dt.UTC)
        user.version += 1
        audit.append(session, actor=actor, action="user.password_reset", entity="user", entity_id=user_id)
