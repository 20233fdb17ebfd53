"""The HTML side of the app: the pages' router and the static files at /static/."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from jarvis.web import account, chat, pages, status
from jarvis.web.templating import STATIC_DIR

router = APIRouter()
router.include_router(pages.router)
router.include_router(chat.router)
router.include_router(account.router)
router.include_router(status.router)


def install_static(app: FastAPI) -> None:
    """Serve `web/static/` at `/static/` (CSS, ES modules, icons): same origin, so the CSP allows them."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
