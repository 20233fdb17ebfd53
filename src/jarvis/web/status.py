"""The public status page (`/status`) and one SVG badge per service (`/status/badge/{name}.svg`).

Both answer 404 unless `[status_page] enabled`; when enabled they need no login (they are on the
public list), and they show only what `health.service.public_status` gives: chosen names, status,
uptime and current incidents.
"""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, Response

from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.errors import NotFound
from jarvis.health import service
from jarvis.web.templating import templates

router = APIRouter(include_in_schema=False)
BADGE_COLOURS = {"healthy": "#2fbf71", "degraded": "#e0a526", "offline": "#e5484d", "unknown": "#7b8499"}
BADGE_WORDS = {"healthy": "up", "degraded": "degraded", "offline": "down", "unknown": "unknown"}


def _off() -> NotFound:
    return NotFound("There is no status page here; an admin can enable it with [status_page] enabled = true.")


@router.get("/status", dependencies=[require("public")], response_class=HTMLResponse)
async def status(request: Request, ctx: CtxDep) -> Response:
    page = await service.public_status(ctx)
    if page is None:
        raise _off()
    response: Response = templates.TemplateResponse(request, "status/page.html", {"page": page})
    response.headers["cache-control"] = "public, max-age=60"
    return response


@router.get("/status/badge/{name}.svg", dependencies=[require("public")])
async def badge(ctx: CtxDep, name: Annotated[str, Path(max_length=63)]) -> Response:
    page = await service.public_status(ctx)
    if page is None:
        raise _off()
    found = next((s for s in page["services"] if s["name"] == name), None)
    if found is None:
        raise NotFound(
            f"The status page lists no service named {name!r}.", details=[{"field": "name", "problem": "unknown"}]
        )
    label, word = html.escape(str(found["label"])[:40]), BADGE_WORDS.get(found["status"], "unknown")
    left, right = 7 * len(label) + 12, 7 * len(word) + 12
    colour = BADGE_COLOURS.get(found["status"], BADGE_COLOURS["unknown"])
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{label}: {word}"><title>{label}: {word}</title>'
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{label}</text><text x="{left + 6}" y="14">{word}</text></g></svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "public, max-age=60"})
