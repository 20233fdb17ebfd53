"""Projects, tasks and blockers JSON API.

Tracker-file entries are shown here but are read-only: the file is the source of truth for
them and would overwrite any edit on its next change, so editing one answers 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import Conflict, NotFound, Unprocessable
from jarvis.core.jsonresp import ok
from jarvis.projects import schemas, service
from jarvis.projects.models import Blocker, Project, Task
from jarvis.projects.schemas import BlockerCreate, BlockerResolve, ProjectCreate, ProjectUpdate, TaskCreate, TaskUpdate

router = APIRouter(tags=["projects"])
IdPath = Annotated[str, Path(min_length=1, max_length=100)]


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _read_only(kind: str, item_id: str) -> Conflict:
    return Conflict(
        f"{kind} `{item_id}` comes from the tracker file and is read-only here; edit the file instead.",
        details=[{"field": "id", "problem": "is managed by the tracker file"}],
    )


async def project_dep(request: Request, session: SessionDep, project_id: IdPath) -> Project:
    """Lookup-and-404 for every `/api/projects/{project_id}…` route (409 for tracker projects)."""
    project = await service.get_project_row(session=session, project_id=project_id)
    if project is not None:
        return project
    if project_id in service.tracker_project_ids(_ctx(request)):
        if request.method != "GET":
            raise _read_only("Project", project_id)
    raise NotFound(
        f"No project with id `{project_id}`.", details=[{"field": "project_id", "problem": "unknown project"}]
    )


ProjectDep = Annotated[Project, Depends(project_dep)]


async def task_dep(project: ProjectDep, session: SessionDep, task_id: IdPath) -> Task:
    task = await session.get(Task, (project.id, task_id))
    if task is None:
        raise NotFound(
            f"Project `{project.id}` has no task `{task_id}`.",
            details=[{"field": "task_id", "problem": "unknown task"}],
        )
    return task


async def blocker_dep(request: Request, session: SessionDep, blocker_id: IdPath) -> Blocker:
    row = await session.get(Blocker, blocker_id)
    if row is not None:
        return row
    if any(b["id"] == blocker_id for b in service.tracker_blockers(_ctx(request))):
        raise _read_only("Blocker", blocker_id)
    raise NotFound(
        f"No blocker with id `{blocker_id}`.", details=[{"field": "blocker_id", "problem": "unknown blocker"}]
    )


def _changed(ctx: AppContext) -> None:
    ctx.mark_changed("waves", "instances")


@router.get(
    "/api/projects",
    dependencies=[require("read")],
    summary="Every project and wave, tracker and API",
    response_model=Envelope[schemas.ProjectList],
)
async def list_projects(request: Request, session: SessionDep) -> Response:
    return ok({"projects": await service.list_projects(_ctx(request), session=session)})


@router.post(
    "/api/projects", dependencies=[require("ingest")], status_code=201, response_model=Envelope[schemas.ProjectPublic]
)
async def create_project(request: Request, session: SessionDep, body: ProjectCreate) -> Response:
    """Create a project (an id starting with `wave-` makes it a wave), optionally with its tasks."""
    ctx = _ctx(request)
    project_id = body.id or service.slug(body.name)
    task_ids = [task.id for task in body.tasks if task.id]
    if len(task_ids) != len(set(task_ids)):
        raise Unprocessable(
            "Two tasks share an id.", details=[{"field": "tasks", "problem": "task ids must be unique"}]
        )
    if project_id in service.tracker_project_ids(ctx) or await service.get_project_row(
        session=session, project_id=project_id
    ):
        raise Conflict(
            f"A project with id `{project_id}` already exists.", details=[{"field": "id", "problem": "already exists"}]
        )
    project = await service.create_project(session=session, body=body.model_copy(update={"id": project_id}))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"A project with id `{project_id}` already exists.", details=[{"field": "id", "problem": "already exists"}]
        ) from None
    _changed(ctx)
    return ok(await service.present_one(session=session, project=project), status_code=201)


@router.get(
    "/api/projects/{project_id}", dependencies=[require("read")], response_model=Envelope[schemas.ProjectPublic]
)
async def get_project(request: Request, session: SessionDep, project_id: IdPath) -> Response:
    row = await service.get_project_row(session=session, project_id=project_id)
    if row is not None:
        return ok(await service.present_one(session=session, project=row))
    for project in service.tracker_projects(_ctx(request)):
        if project["id"] == project_id:
            return ok(project)
    raise NotFound(
        f"No project with id `{project_id}`.", details=[{"field": "project_id", "problem": "unknown project"}]
    )


@router.patch(
    "/api/projects/{project_id}", dependencies=[require("ingest")], response_model=Envelope[schemas.ProjectPublic]
)
async def update_project(request: Request, session: SessionDep, project: ProjectDep, body: ProjectUpdate) -> Response:
    """Change the fields sent; status and completion are derived once the project has tasks."""
    service.update_project(project=project, body=body)
    await session.commit()
    _changed(_ctx(request))
    return ok(await service.present_one(session=session, project=project))


@router.delete(
    "/api/projects/{project_id}", dependencies=[require("admin")], response_model=Envelope[schemas.ProjectDeleted]
)
async def delete_project(request: Request, session: SessionDep, project: ProjectDep) -> Response:
    await service.delete_project(session=session, project=project)
    await session.commit()
    _changed(_ctx(request))
    return ok({"deleted": project.id})


@router.post(
    "/api/projects/{project_id}/tasks",
    dependencies=[require("ingest")],
    status_code=201,
    response_model=Envelope[schemas.ProjectPublic],
)
async def add_task(request: Request, session: SessionDep, project: ProjectDep, body: TaskCreate) -> Response:
    if body.id and await session.get(Task, (project.id, body.id)) is not None:
        raise Conflict(
            f"Project `{project.id}` already has a task `{body.id}`.",
            details=[{"field": "id", "problem": "already exists"}],
        )
    await service.add_task(session=session, project=project, body=body)
    await session.commit()
    _changed(_ctx(request))
    return ok(await service.present_one(session=session, project=project), status_code=201)


@router.patch(
    "/api/projects/{project_id}/tasks/{task_id}",
    dependencies=[require("ingest")],
    response_model=Envelope[schemas.ProjectPublic],
)
async def update_task(
    request: Request,
    session: SessionDep,
    project: ProjectDep,
    task: Annotated[Task, Depends(task_dep)],
    body: TaskUpdate,
) -> Response:
    service.update_task(project=project, task=task, body=body)
    await session.commit()
    _changed(_ctx(request))
    return ok(await service.present_one(session=session, project=project))


@router.get(
    "/api/blockers", dependencies=[require("read")], tags=["blockers"], response_model=Envelope[schemas.BlockerList]
)
async def list_blockers(
    request: Request, session: SessionDep, include_resolved: bool = False, instance: str | None = None
) -> Response:
    """Open blockers (tracker file and API), oldest first; `include_resolved=true` adds resolved ones."""
    blockers = await service.list_blockers(
        _ctx(request), session=session, include_resolved=include_resolved, instance=instance
    )
    return ok({"blockers": blockers})


@router.post(
    "/api/blockers",
    dependencies=[require("ingest")],
    status_code=201,
    tags=["blockers"],
    response_model=Envelope[schemas.BlockerPublic],
)
async def create_blocker(request: Request, session: SessionDep, body: BlockerCreate) -> Response:
    ctx = _ctx(request)
    if body.project is not None and not (
        body.project in service.tracker_project_ids(ctx)
        or await service.get_project_row(session=session, project_id=body.project)
    ):
        raise Unprocessable(
            f"No project with id `{body.project}`.", details=[{"field": "project", "problem": "unknown project"}]
        )
    taken = body.id is not None and (
        (await session.get(Blocker, body.id)) is not None
        or any(b["id"] == body.id for b in service.tracker_blockers(ctx))
    )
    if taken:
        raise Conflict(f"A blocker `{body.id}` already exists.", details=[{"field": "id", "problem": "already exists"}])
    row = await service.create_blocker(session=session, body=body)
    await session.commit()
    blocker = service.present_blocker_row(row)
    ctx.hub.publish("blocker.opened", blocker)
    _changed(ctx)
    return ok(blocker, status_code=201)


@router.post(
    "/api/blockers/{blocker_id}/resolve",
    dependencies=[require("ingest")],
    tags=["blockers"],
    response_model=Envelope[schemas.BlockerPublic],
)
async def resolve_blocker(
    request: Request,
    session: SessionDep,
    row: Annotated[Blocker, Depends(blocker_dep)],
    body: BlockerResolve | None = None,
) -> Response:
    ctx = _ctx(request)
    if row.resolved_at is not None:
        raise Conflict(
            f"Blocker `{row.id}` is already resolved.", details=[{"field": "blocker_id", "problem": "already resolved"}]
        )
    service.resolve_blocker(row=row, resolution=body.resolution if body else None)
    await session.commit()
    blocker = service.present_blocker_row(row)
    ctx.hub.publish("blocker.resolved", blocker)
    _changed(ctx)
    return ok(blocker)
