"""Request bodies of the push API. Our own bodies refuse unknown fields; the Claude Code
hook payload is not a schema here at all: it is kept as sent (see `claude.py`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from jarvis.core import clock
from jarvis.core.text import Visible

INSTANCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,159}$"
EVENT_KIND_PATTERN = r"^[a-z][a-z0-9_.-]{0,39}$"
Text = Annotated[Visible, StringConstraints(strip_whitespace=True, max_length=500)]
Short = Annotated[Visible, StringConstraints(strip_whitespace=True, max_length=200)]
Long = Annotated[Visible, StringConstraints(strip_whitespace=True, max_length=255)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommitIn(Body):
    hash: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")
    ]
    message: Text | None = None
    timestamp: str | None = Field(None, max_length=64, description="ISO 8601 or epoch seconds/ms; default: now")

    @field_validator("timestamp")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None and clock.parse_timestamp(value) is None:
            raise ValueError("is not a timestamp (use ISO 8601, e.g. 2026-11-25T10:00:00Z)")
        return value

    def public(self) -> dict[str, Any]:
        moment = clock.parse_timestamp(self.timestamp) if self.timestamp else clock.now()
        return {"hash": self.hash, "message": self.message, "timestamp": clock.iso(moment)}


class HeartbeatIn(Body):
    """`POST /api/instances/{id}/heartbeat`: all optional but `status`."""

    status: Literal["active", "idle", "blocked", "done"]
    name: Short | None = None
    role: Short | None = None
    current_task: Text | None = None
    branch: Long | None = None
    repo: Text | None = None
    host: Long | None = None
    cwd: Annotated[str, StringConstraints(max_length=1000)] | None = None
    last_commit: CommitIn | None = None


class EventIn(Body):
    """`POST /api/instances/{id}/events`: one typed entry for the instance's timeline.

    Known kinds: `prompt`, `tool`, `commit` (data: {hash, message, timestamp}; also sets
    the instance's last commit), `stop`, `notification`, `error`, `log`; any other
    lower-case kind is kept as is."""

    kind: str = Field(pattern=EVENT_KIND_PATTERN, max_length=40)
    message: Annotated[Visible, StringConstraints(max_length=2000)] | None = None
    data: dict[str, Any] | None = None
    commit: CommitIn | None = Field(None, description="for kind `commit`")

    @field_validator("data")
    @classmethod
    def _small(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        from jarvis.core.jsonresp import encoded_size

        if value is not None and encoded_size(value) > 16 * 1024:
            raise ValueError("must be at most 16 KiB of JSON")
        return value


# Response models, for /docs (extra keys allowed: these name what a client can rely on).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InstancePublic(_Open):
    id: str
    name: str
    source: str
    role: str | None
    status: str
    current_task: str | None
    branch: str | None
    last_commit: dict[str, Any] | None
    last_seen: str | None
    open_blockers: int


class InstanceList(BaseModel):
    instances: list[InstancePublic]


class InstanceDetail(_Open):
    instance: InstancePublic | None
    timeline: list[dict[str, Any]] = Field(description="Newest first")
    tasks: list[dict[str, Any]]
    blockers: list[dict[str, Any]]


class InstanceEventPublic(_Open):
    id: int
    instance_id: str
    kind: str
    message: str | None
    at: str
