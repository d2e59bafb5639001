"""The web console: server-rendered pages (Jinja2) for officers, reviewers and operators,
Vietnamese first, usable on a phone.

Pages read the database to show things; every change a page offers is made by its few
lines of JavaScript calling the REST API, so roles, validation and CSRF are the API's own
and nothing is ruled twice. A public page and its podcast feed need no login.
"""

from radio.console.pages import add_console

__all__ = ["add_console"]
