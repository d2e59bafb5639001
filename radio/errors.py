"""Errors the API reports to people: an HTTP status and the same message in Vietnamese
(for the console, first) and English."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("radio.errors")


class ApiError(Exception):
    def __init__(self, status: int, en: str, vi: str, **extra: object) -> None:
        super().__init__(en)
        self.status = status
        self.en = en
        self.vi = vi
        self.extra = extra

    def body(self) -> dict[str, object]:
        return {"error": {"vi": self.vi, "en": self.en, **self.extra}}


def not_found(what_en: str, what_vi: str) -> ApiError:
    return ApiError(404, f"{what_en} not found", f"không tìm thấy {what_vi}")


def forbidden() -> ApiError:
    return ApiError(
        403, "your role does not allow this", "vai trò của bạn không được phép làm việc này"
    )


_FRAMEWORK = {
    400: ("bad request", "yêu cầu không hợp lệ"),
    404: ("not found", "không tìm thấy"),
    405: ("this method is not allowed here", "phương thức này không được phép ở đây"),
}


def install(app: FastAPI) -> None:
    """Report ApiErrors and invalid requests in both languages."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        """The framework's own refusals (unreadable body, no such route, wrong method), in
        the same two-language form as ours."""
        en, vi = _FRAMEWORK.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            exc = StarletteHTTPException(422, exc.detail)
            en, vi = "the request body is not valid JSON", "nội dung gửi lên không phải JSON hợp lệ"
        error = ApiError(exc.status_code, en, vi)
        return JSONResponse(error.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(_: Request, exc: Exception) -> JSONResponse:
        """A number the database cannot hold (an id like 10^20): the request is wrong."""
        error = ApiError(422, "a number is out of range", "có số nằm ngoài giới hạn cho phép")
        return JSONResponse(error.body(), status_code=422)

    @app.exception_handler(StatementError)
    async def bad_value(request: Request, exc: StatementError) -> JSONResponse:
        """A value the database driver could not even send (a date past year 9999)."""
        if isinstance(exc.orig, OverflowError | ValueError):
            return await out_of_range(request, exc)
        raise exc

    @app.exception_handler(OperationalError)
    async def database_down(_: Request, exc: OperationalError) -> JSONResponse:
        """The database cannot be reached or is busy: nothing was saved, try again."""
        log.warning("database unavailable: %s", str(exc).splitlines()[0])
        error = ApiError(
            503,
            "the database is unavailable for the moment; nothing was saved, try again",
            "cơ sở dữ liệu tạm thời không truy cập được; chưa có gì được lưu, hãy thử lại",
        )
        return JSONResponse(error.body(), status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e["loc"][1:]) for e in exc.errors()]
        error = ApiError(
            422,
            f"invalid input: {', '.join(fields) or 'body'}",
            f"dữ liệu không hợp lệ: {', '.join(fields) or 'nội dung'}",
            fields=fields,
        )
        return JSONResponse(error.body(), status_code=422)
