"""Refusals over HTTP: the one table from each kind of refusal to its status, the handlers
that answer every error in the same two-language form (ours, the framework's own, the
database's), and that form as a documented model.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from radio.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Refusal,
    Throttled,
    TooLarge,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger("radio.errors")

STATUS: dict[type[Refusal], int] = {
    Invalid: 422,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    TooLarge: 413,
    Throttled: 429,
    Unavailable: 503,
}
_HEADERS: dict[type[Refusal], dict[str, str]] = {Unavailable: {"Retry-After": "5"}}
_FRAMEWORK = {
    400: ("bad request", "yêu cầu không hợp lệ"),
    404: ("not found", "không tìm thấy"),
    405: ("this method is not allowed here", "phương thức này không được phép ở đây"),
    413: ("the request is too large", "yêu cầu gửi lên quá lớn"),
}


class ErrorDetail(BaseModel):
    """The reason, in Vietnamese and English; some refusals add what a client may act on."""

    model_config = ConfigDict(extra="allow")
    vi: str
    en: str
    field: str | None = None
    fields: list[str] | None = None
    conflicts: list[str] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    401: "Not signed in, or the token is unknown, expired or revoked",
    403: "The role, right or commune does not allow it",
    404: "No such thing, or not one the caller may see",
    409: "Not in a state that allows it (archived, taken, overlapping)",
    413: "Larger than the station accepts",
    422: "Invalid input; `field` or `fields` name what is wrong",
    429: "Too many attempts; try again later",
    503: "The database is unavailable for the moment; nothing was saved",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these refusals, each with the shared error model."""
    return {s: {"model": ErrorOut, "description": _DESCRIPTIONS[s]} for s in statuses}


def status_of(refusal: Refusal) -> int:
    return next(s for kind, s in STATUS.items() if isinstance(refusal, kind))


def answer(refusal: Refusal, status: int | None = None) -> JSONResponse:
    status = status or status_of(refusal)
    headers = next((h for kind, h in _HEADERS.items() if isinstance(refusal, kind)), None)
    return JSONResponse(refusal.body(), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Every error answered in both languages, with the status its kind maps to."""

    @app.exception_handler(Refusal)
    async def refused(_: Request, exc: Refusal) -> JSONResponse:
        return answer(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        """The framework's own refusals (unreadable body, no such route, wrong method)."""
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            refusal: Refusal = Invalid(
                "the request body is not valid JSON", "nội dung gửi lên không phải JSON hợp lệ"
            )
            return answer(refusal, 422)
        en, vi = _FRAMEWORK.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        response = answer(Refusal(en, vi), exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(_: Request, exc: Exception) -> JSONResponse:
        """A number the database cannot hold (an id like 10^20): the request is wrong."""
        return answer(Invalid("a number is out of range", "có số nằm ngoài giới hạn cho phép"))

    @app.exception_handler(StatementError)
    async def bad_value(request: Request, exc: StatementError) -> JSONResponse:
        """A value the database driver could not even send (a date past year 9999)."""
        if isinstance(exc.orig, OverflowError | ValueError):
            return await out_of_range(request, exc)
        raise exc

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_down(_: Request, exc: Exception) -> JSONResponse:
        """The database cannot be reached or is busy: nothing was saved, try again."""
        log.warning("database unavailable: %s", str(exc).splitlines()[0])
        return answer(
            Unavailable(
                "the database is unavailable for the moment; nothing was saved, try again",
                "cơ sở dữ liệu tạm thời không truy cập được; chưa có gì được lưu, hãy thử lại",
            )
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e["loc"][1:]) for e in exc.errors()]
        return answer(
            Invalid(
                f"invalid input: {', '.join(fields) or 'body'}",
                f"dữ liệu không hợp lệ: {', '.join(fields) or 'nội dung'}",
                fields=fields,
            )
        )
