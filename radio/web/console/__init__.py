"""The web console: server-rendered pages (Jinja2) for officers, reviewers and operators,
Vietnamese first, usable on a phone.

Pages read the database to show things; every change a page offers is made by its few
lines of JavaScript calling the REST API, so roles, validation and CSRF are the API's own
and nothing is ruled twice. A public page and its podcast feed need no login.
"""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from radio.web.console import pages, public, station
from radio.web.console.frame import HERE, SignIn


async def _sign_in(_: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, SignIn)
    return RedirectResponse(exc.target, 303)


def install(app: FastAPI) -> None:
    """The console's pages, its static files, and the way to the login page."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(SignIn, _sign_in)
    for router in (public.router, pages.router, station.router):
        app.include_router(router)


__all__ = ["install"]
