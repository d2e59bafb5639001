"""Errors the API reports to people: an HTTP status and the same message in Vietnamese
(for the console, first) and English."""

from __future__ import annotations


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
