"""Web pages for supervisors and inspectors (简体中文), served beside the API.

`install_pages(app)` adds the page routers, their static files (page scripts, styles and the
bundled Apache ECharts), the security headers, page sessions and the error pages.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.pages import (
    case_lists,
    case_pages,
    case_work,
    dashboards,
    login,
    oversight,
    practices,
    public,
    receipt,
    verify,
)
from api.pages.render import HERE, PageError, error_page
from api.pages.security import SecurityHeaders
from api.pages.session import LoginRequired, SessionStore

ROUTERS = (login, case_lists, case_work, case_pages, dashboards, practices, oversight, verify, public, receipt)


def install_pages(app: FastAPI) -> None:
    settings = app.state.settings
    # The app's view database is made after the pages are installed in some set-ups: look it up late.
    app.state.page_sessions = SessionStore(lambda: app.state.view_reads, secret=settings.session_secret)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="page-static")

    async def login_required(request: Request, _: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    async def page_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, PageError)
        return error_page(request, exc)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageError, page_error)
    app.add_middleware(SecurityHeaders)
