"""One Jinja2 environment for every page (autoescape on), shared by the domains that have pages.

Other domains render their templates (in `web/templates/<domain>/`) through `render()` so that
the header (navigation, connection indicator, last-update time) gets the same context everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from jarvis.accounts.service import form_token
from jarvis.core import clock
from jarvis.core.auth import principal_of
from jarvis.core.sections import SECTIONS
from jarvis.web import charts
from jarvis.web.filters import FILTERS, is_number, status, when

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.filters.update(FILTERS)
templates.env.globals.update(
    dashboard_sections=SECTIONS,  # the one Section list; pages read it from <body data-sections>
    sparkline=charts.sparkline,
    heartbeat=charts.heartbeat,
    uptime_bars=charts.uptime_bars,
    latency_chart=charts.latency_chart,
    pulse_chart=charts.pulse_chart,
    is_number=is_number,
    status=status,
    when=when,
)


def base_context(**extra: Any) -> dict[str, Any]:
    """What `base.html` reads: the render time for the header's "Updated" clock."""
    now = clock.now()
    context: dict[str, Any] = {
        "rendered_at_iso": clock.iso(now),
        "rendered_at_label": now.strftime("%H:%M:%S UTC"),
    }
    context.update(extra)
    return context


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page template extending `base.html` (which shows who is logged in, or single-user mode)."""
    who = principal_of(request)
    token = form_token(who.session_id) if who.session_id else ""
    merged = base_context(**{"who": who, "form_token": token, **(context or {})})
    response: HTMLResponse = templates.TemplateResponse(request, name, merged, status_code=status_code)
    return response
