"""Request bodies and response shapes of the accounts API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jarvis.core.auth import Scope


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class UserCreate(Body):
    username: str = Field(min_length=1, max_length=64)
    role: Literal["admin", "member", "viewer"]
    password: str = Field(min_length=1, max_length=1024)


class UserUpdate(Body):
    role: Literal["admin", "member", "viewer"] | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)


class TokenCreate(Body):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=5)
    user: str | None = Field(None, max_length=64, description="owner (admins only; default: yourself)")


class UserPublic(BaseModel):
    name: str
    role: str
    scopes: list[str]
    created_at: str | None
    password_changed_at: str | None


class PrincipalPublic(BaseModel):
    kind: str
    name: str
    role: str | None
    scopes: list[str]


class Me(BaseModel):
    principal: PrincipalPublic
    user: UserPublic | None
    single_user: bool = Field(description="no account exists: this machine's clients are let in as admin")


class TokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    owner: str | None
    created_by: str
    created_at: str | None
    last_used_at: str | None
    last_used_ip: str | None
    revoked_at: str | None


class TokenCreated(TokenPublic):
    token: str = Field(description="the token itself: shown this once, stored only as a hash")


class SessionPublic(BaseModel):
    created_at: str | None
    last_seen_at: str | None
    expires_at: str | None
    ip: str | None
    user_agent: str | None
    current: bool


class AuditPublic(BaseModel):
    id: int
    at: str | None
    actor: str
    action: str
    target: str | None
    ip: str | None
    detail: dict[str, object] | None


class Envelope(BaseModel):
    success: Literal[True] = True


class MeEnvelope(Envelope):
    data: Me


class UserEnvelope(Envelope):
    data: UserPublic


class UsersEnvelope(Envelope):
    data: list[UserPublic]


class TokenCreatedEnvelope(Envelope):
    data: TokenCreated


class TokensEnvelope(Envelope):
    data: list[TokenPublic]


class TokenEnvelope(Envelope):
    data: TokenPublic


class SessionsEnvelope(Envelope):
    data: list[SessionPublic]


class AuditEnvelope(Envelope):
    data: list[AuditPublic]


class DoneEnvelope(Envelope):
    data: dict[str, object]
