"""Projects, tasks and blockers: plain functions over a session, plus the `waves` section.

Projects come from two places: the database (the CRUD API) and the tracker file (read-only,
owned by whatever writes the file). Both are shaped by `derive.present_project`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.projects.derive import fleet_metrics, present_project
from jarvis.projects.derive import present_blocker as present_blocker  # the public shape, for the tracker job
from jarvis.projects.models import Blocker, Project, Task
from jarvis.projects.schemas import BlockerCreate, ProjectCreate, ProjectUpdate, TaskCreate, TaskUpdate
from jarvis.tracker.service import tracker_of


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]
    return text or f"project-{uuid.uuid4().hex[:8]}"


def _raw(project: Project, tasks: list[Task]) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "status": project.status,
        "completion_percent": project.completion_percent,
        "estimated_hours": project.estimated_hours,
        "actual_hours": project.actual_hours,
        "remaining_hours": project.remaining_hours,
        "assigned_to": project.assigned_to,
        "tasks": [
            {
                "id": task.id,
                "name": task.name,
                "status": task.status,
                "estimated_hours": task.estimated_hours,
                "actual_hours": task.actual_hours,
                "assigned_to": task.assigned_to,
            }
            for task in sorted(tasks, key=lambda t: t.position)
        ],
    }


async def get_project_row(*, session: AsyncSession, project_id: str) -> Project | None:
    return await session.get(Project, project_id)


async def _tasks_of(*, session: AsyncSession, project_ids: list[str]) -> dict[str, list[Task]]:
    grouped: dict[str, list[Task]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return grouped
    rows = await session.scalars(select(Task).where(Task.project_id.in_(project_ids)))
    for task in rows:
        grouped[task.project_id].append(task)
    return grouped


def tracker_projects(ctx: AppContext) -> list[dict[str, Any]]:
    return [present_project(raw, source="tracker") for raw in tracker_of(ctx).data.projects]


def tracker_project_ids(ctx: AppContext) -> set[str]:
    return {raw["id"] for raw in tracker_of(ctx).data.projects}


async def list_projects(ctx: AppContext, *, session: AsyncSession) -> list[dict[str, Any]]:
    """Tracker projects first (file order), then the API's (creation order)."""
    rows = list(await session.scalars(select(Project).order_by(Project.created_at, Project.id)))
    tasks = await _tasks_of(session=session, project_ids=[row.id for row in rows])
    from_db = [present_project(_raw(row, tasks[row.id]), source="api") for row in rows]
    return tracker_projects(ctx) + from_db


async def present_one(*, session: AsyncSession, project: Project) -> dict[str, Any]:
    tasks = await _tasks_of(session=session, project_ids=[project.id])
    return present_project(_raw(project, tasks[project.id]), source="api")


async def create_project(*, session: AsyncSession, body: ProjectCreate) -> Project:
    now = clock.now()
    project = Project(
        id=body.id or slug(body.name),
        name=body.name,
        status=body.status,
        completion_percent=body.completion_percent,
        estimated_hours=body.estimated_hours,
        actual_hours=body.actual_hours,
        remaining_hours=body.remaining_hours,
        assigned_to=body.assigned_to,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    for position, task in enumerate(body.tasks):
        session.add(_task_row(project.id, task, position))
    return project


def _task_row(project_id: str, body: TaskCreate, position: int) -> Task:
    return Task(
        project_id=project_id,
        id=body.id or f"task-{position + 1}",
        name=body.name,
        status=body.status,
        estimated_hours=body.estimated_hours,
        actual_hours=body.actual_hours,
        assigned_to=body.assigned_to,
        position=position,
        created_at=clock.now(),
    )


def update_project(*, project: Project, body: ProjectUpdate) -> Project:
    """Only the fields sent change; an explicit `null` clears an optional figure."""
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None and name in ("name", "status", "assigned_to"):
            continue
        setattr(project, name, value)
    project.updated_at = clock.now()
    return project


async def add_task(*, session: AsyncSession, project: Project, body: TaskCreate) -> Task:
    position = await session.scalar(
        select(func.coalesce(func.max(Task.position), -1)).where(Task.project_id == project.id)
    )
    task = _task_row(project.id, body, int(position if position is not None else -1) + 1)
    if body.id is None:
        while await session.get(Task, (project.id, task.id)) is not None:
            task.id = f"task-{uuid.uuid4().hex[:6]}"
    session.add(task)
    project.updated_at = clock.now()
    return task


def update_task(*, project: Project, task: Task, body: TaskUpdate) -> Task:
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None and name in ("name", "status", "assigned_to"):
            continue
        setattr(task, name, value)
    project.updated_at = clock.now()
    return task


async def record_agent_task(
    *, session: AsyncSession, repo: str, instance_id: str, id: str | None, name: str | None, status: str
) -> Task | None:
    """A task an agent created or completed (Claude Code's TaskCreated/TaskCompleted) becomes a task of the
    project of its repository: the project whose id or name slugs to the repository's folder name. With no
    such project it stays on the session's timeline only (we do not invent projects)."""
    if not id:
        return None
    key = slug(repo)
    project = await session.get(Project, key)
    if project is None:
        project = next((p for p in await session.scalars(select(Project)) if slug(p.name) == key), None)
    if project is None:
        return None
    task_id = re.sub(r"[^A-Za-z0-9._-]+", "-", f"agent-{id}")[:100]
    task = await session.get(Task, (project.id, task_id))
    if task is None:
        body = TaskCreate(id=None, name=(name or id)[:200], status="pending", assigned_to=[instance_id[:100]])
        task = await add_task(session=session, project=project, body=body)
        task.id = task_id
    if name:
        task.name = name[:200]
    task.status = "completed" if status == "completed" else task.status
    if instance_id not in task.assigned_to:
        task.assigned_to = [*task.assigned_to, instance_id]
    project.updated_at = clock.now()
    return task


async def delete_project(*, session: AsyncSession, project: Project) -> None:
    await session.execute(delete(Task).where(Task.project_id == project.id))
    await session.delete(project)


# --- blockers ------------------------------------------------------------------------------


def _blocker_raw(row: Blocker) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance": row.instance,
        "project": row.project,
        "description": row.description,
        "severity": row.severity,
        "opened_at": row.opened_at,
        "resolved_at": row.resolved_at,
        "resolution": row.resolution,
    }


def present_blocker_row(row: Blocker) -> dict[str, Any]:
    return present_blocker(_blocker_raw(row), source="api")


def tracker_blockers(ctx: AppContext) -> list[dict[str, Any]]:
    return [present_blocker(raw, source="tracker") for raw in tracker_of(ctx).data.blockers]


async def list_blockers(
    ctx: AppContext, *, session: AsyncSession, include_resolved: bool = False, instance: str | None = None
) -> list[dict[str, Any]]:
    """Open blockers (tracker and API), oldest first; resolved API ones too when asked."""
    query = select(Blocker).order_by(Blocker.opened_at, Blocker.id)
    if not include_resolved:
        query = query.where(Blocker.resolved_at.is_(None))
    if instance is not None:
        query = query.where(Blocker.instance == instance)
    rows = [present_blocker_row(row) for row in await session.scalars(query)]
    tracked = [b for b in tracker_blockers(ctx) if instance is None or b["instance"] == instance]
    return tracked + rows


async def open_blocker_counts(ctx: AppContext, *, session: AsyncSession, instances: Collection[str]) -> dict[str, int]:
    """How many open blockers (tracker and API) each of `instances` has, in one grouped query."""
    if not instances:
        return {}
    counts: dict[str, int] = {}
    for blocker in tracker_blockers(ctx):
        if blocker["instance"] in instances:
            counts[blocker["instance"]] = counts.get(blocker["instance"], 0) + 1
    rows = await session.execute(
        select(Blocker.instance, func.count())
        .where(Blocker.resolved_at.is_(None), Blocker.instance.in_(sorted(instances)))
        .group_by(Blocker.instance)
    )
    for instance, count in rows:
        if instance is not None:
            counts[instance] = counts.get(instance, 0) + count
    return counts


async def create_blocker(*, session: AsyncSession, body: BlockerCreate) -> Blocker:
    row = Blocker(
        id=body.id or f"b-{uuid.uuid4().hex[:10]}",
        instance=body.instance,
        project=body.project,
        description=body.description,
        severity=body.severity,
        opened_at=clock.now(),
        resolved_at=None,
        resolution=None,
    )
    session.add(row)
    return row


def resolve_blocker(*, row: Blocker, resolution: str | None) -> Blocker:
    row.resolved_at = clock.now()
    row.resolution = resolution
    return row


# --- the dashboard -------------------------------------------------------------------------


async def fleet_figures(ctx: AppContext, *, session: AsyncSession) -> dict[str, Any]:
    """The project-derived part of the `instances` section's metrics, and the open blockers."""
    projects = await list_projects(ctx, session=session)
    blockers = await list_blockers(ctx, session=session)
    metrics = fleet_metrics(projects, len(blockers), tracker_of(ctx).data.metrics)
    return {"metrics": metrics, "blockers": blockers, "projects": projects}


def _public(project: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in project.items() if key not in ("wave", "source")}


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """`{"waves": [P…], "projects": [P…], "timestamp"}`; waves are projects whose id starts with `wave-`."""
    async with ctx.db.sessions() as session:
        projects = await list_projects(ctx, session=session)
    return {
        "waves": [_public(p) for p in projects if p["wave"]],
        "projects": [_public(p) for p in projects if not p["wave"]],
        "timestamp": clock.iso(clock.now()),
    }
