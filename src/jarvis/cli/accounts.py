"""`jarvis user add|passwd|remove|list` and `jarvis token create|list|revoke`, on the configured database.

They work while the server runs (the server sees a new account within two seconds) and before it ever
ran (the schema is brought up to date first). Passwords are read from stdin when it is not a terminal
(`echo "$PASS" | jarvis user add alice --role admin`), else asked twice without echo.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from jarvis.cli.base import Commands, fail, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from jarvis.settings import Settings

T = TypeVar("T")
ACTOR = "cli"


def _password(prompt: str = "Password: ") -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise fail("no password on stdin (send it on the first line)")
        return line
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise fail("the two passwords differ")
    return first


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Bring the schema up to date, then run `work` in a session; a domain error is one line, exit 2."""
    from jarvis.core.db import Database
    from jarvis.core.errors import AppError
    from jarvis.core.migrate import upgrade

    url = settings.effective_database_url
    Database(url)  # creates the data folder for SQLite
    upgrade(url)

    async def go() -> T:
        db = Database(url)
        try:
            async with db.sessions() as session:
                return await work(session)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except AppError as exc:
        raise fail(exc.message) from None


def user_add(args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    settings = load_settings()
    password = _password()

    async def work(session: AsyncSession) -> Any:
        return await service.add_user(
            session, name=args.name, role=args.role, password=password, settings=settings.auth, actor=ACTOR, ip=None
        )

    user = _run(settings, work)
    print(f"added {user.name} ({user.role})")
    return 0


def user_passwd(args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    settings = load_settings()
    password = _password("New password: ")

    async def work(session: AsyncSession) -> None:
        user = await service.require_user(session, args.name)
        await service.set_password(session, user=user, password=password, settings=settings.auth, actor=ACTOR, ip=None)

    _run(settings, work)
    print(f"password of {args.name} changed; their sessions ended")
    return 0


def user_remove(args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    async def work(session: AsyncSession) -> None:
        user = await service.require_user(session, args.name)
        await service.remove_user(session, user=user, actor=ACTOR, ip=None)

    _run(load_settings(), work)
    print(f"removed {args.name}; their sessions ended and their tokens were revoked")
    return 0


def user_list(_args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    users = _run(load_settings(), service.list_users)
    if not users:
        print("no users: the server runs in single-user mode (this machine only)")
    for user in users:
        print(f"{user.name}\t{user.role}")
    return 0


def token_create(args: argparse.Namespace) -> int:
    from jarvis.accounts import service
    from jarvis.core.auth import ROLE_SCOPES

    async def work(session: AsyncSession) -> tuple[str, Any]:
        owner = await service.require_user(session, args.user) if args.user else None
        return await service.create_token(
            session, name=args.name, scopes=args.scope, allowed=ROLE_SCOPES["admin"], user=owner, actor=ACTOR, ip=None
        )

    secret, token = _run(load_settings(), work)
    print(
        f"token #{token.id} {token.name!r}, scopes {', '.join(token.scopes)}; shown once, keep it now:", file=sys.stderr
    )
    print(secret)
    return 0


def token_list(_args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    async def work(session: AsyncSession) -> list[Any]:
        return await service.list_tokens(session, user=None)

    for token, owner in _run(load_settings(), work):
        state = "revoked" if token.revoked_at else "active"
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never used"
        print(f"#{token.id}\t{token.prefix}…\t{token.name}\t{','.join(token.scopes)}\t{owner or '-'}\t{state}\t{used}")
    return 0


def token_revoke(args: argparse.Namespace) -> int:
    from jarvis.accounts import service

    async def work(session: AsyncSession) -> Any:
        token = await service.find_token(session, args.token)
        return await service.revoke_token(session, token=token, actor=ACTOR, ip=None)

    token = _run(load_settings(), work)
    print(f"revoked token #{token.id} {token.name!r}")
    return 0


def register(commands: Commands) -> None:
    users = commands.group("user", help="User accounts (admin, member, viewer)")
    command = users.add_parser("add", help="Add a user; the password comes from stdin or is asked for")
    command.add_argument("name")
    command.add_argument("--role", required=True, choices=["admin", "member", "viewer"])
    command.set_defaults(run=user_add)
    command = users.add_parser("passwd", help="Set a user's password (their sessions end)")
    command.add_argument("name")
    command.set_defaults(run=user_passwd)
    command = users.add_parser("remove", help="Remove a user (sessions end, tokens are revoked)")
    command.add_argument("name")
    command.set_defaults(run=user_remove)
    users.add_parser("list", help="List the users and their roles").set_defaults(run=user_list)

    tokens = commands.group("token", help="API tokens for agents, exporters and scripts")
    command = tokens.add_parser("create", help="Create a token; it is printed alone on the last line")
    command.add_argument("--name", required=True, help="what it is for, e.g. laptop-2")
    command.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=["read", "write", "ingest", "chat", "admin"],
        help="repeat for several; `ingest` for jarvis hook and OTLP exporters",
    )
    command.add_argument("--user", help="owner (default: none)")
    command.set_defaults(run=token_create)
    tokens.add_parser("list", help="List tokens (prefix, scopes, owner, last use)").set_defaults(run=token_list)
    command = tokens.add_parser("revoke", help="Revoke a token by id or prefix")
    command.add_argument("token")
    command.set_defaults(run=token_revoke)
