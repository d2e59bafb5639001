"""Uploaded files, read no further than the route's limit."""

from __future__ import annotations

from fastapi import UploadFile

from radio.errors import TooLarge

MAX_RECORDING = 50_000_000  # bytes: half an hour of 192 kbps MP3 fits


async def read_upload(file: UploadFile, limit: int, what_en: str, what_vi: str) -> bytes:
    """The uploaded file, refused (413) past `limit` bytes without reading it all."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"
        raise TooLarge(f"{what_en} is larger than {size}", f"{what_vi} lớn hơn {size}")
    return data
