"""Request bodies for projects, tasks and blockers: one schema per body, unknown fields refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jarvis.core.text import Visible

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
WorkStatus = Literal["pending", "in_progress", "completed"]
Severity = Literal["low", "medium", "high", "critical"]
Name = Annotated[Visible, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Assignee = Annotated[Visible, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
Hours = Annotated[float, Field(ge=0, le=100_000, strict=True, allow_inf_nan=False)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskCreate(Body):
    id: str | None = Field(None, pattern=ID_PATTERN, description="default: task-<n>")
    name: Name
    status: WorkStatus = "pending"
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    assigned_to: list[Assignee] = Field(default_factory=list, max_length=50)


class TaskUpdate(Body):
    name: Name | None = None
    status: WorkStatus | None = None
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    assigned_to: list[Assignee] | None = Field(None, max_length=50)


class ProjectCreate(Body):
    id: str | None = Field(
        None, pattern=ID_PATTERN, description="default: made from the name; `wave-…` makes it a wave"
    )
    name: Name
    status: WorkStatus = "pending"
    completion_percent: float | None = Field(None, ge=0, le=100, description="used only while it has no tasks")
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    remaining_hours: Hours | None = None
    assigned_to: list[Assignee] = Field(default_factory=list, max_length=50)
    tasks: list[TaskCreate] = Field(default_factory=list, max_length=500)


class ProjectUpdate(Body):
    name: Name | None = None
    status: WorkStatus | None = None
    completion_percent: float | None = Field(None, ge=0, le=100)
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    remaining_hours: Hours | None = None
    assigned_to: list[Assignee] | None = Field(None, max_length=50)


class BlockerCreate(Body):
    id: str | None = Field(None, pattern=ID_PATTERN)
    instance: str | None = Field(None, min_length=1, max_length=160)
    project: str | None = Field(None, min_length=1, max_length=100)
    description: Annotated[Visible, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    severity: Severity = "medium"


class BlockerResolve(Body):
    resolution: str | None = Field(None, max_length=2000)


# Response models, for /docs (extra keys allowed: these name what a client can rely on).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class TaskPublic(_Open):
    id: str
    name: str
    status: str
    estimated_hours: float | None
    actual_hours: float | None


class ProjectPublic(_Open):
    id: str
    name: str
    status: str
    completion_percent: float | None
    tasks_done: int
    tasks_total: int
    estimated_hours: float | None
    actual_hours: float | None
    remaining_hours: float | None
    assigned_to: list[str]
    tasks: list[TaskPublic]


class ProjectList(BaseModel):
    projects: list[ProjectPublic]


class ProjectDeleted(BaseModel):
    deleted: str


class BlockerPublic(_Open):
    id: str
    instance: str | None
    project: str | None
    description: str
    severity: str
    opened_at: str | None


class BlockerList(BaseModel):
    blockers: list[BlockerPublic]
