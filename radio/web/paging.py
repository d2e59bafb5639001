"""Lists that grow (announcements, as-run, alerts, bulletins) come a page at a time:
`limit` and `offset` in the query, the body a plain list, the total in `X-Total-Count` and
the next page in a `Link: <…>; rel="next"` header, as GitHub's API does, so a client that
ignores paging still reads a list."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of the list",
        "headers": {
            "X-Total-Count": {"description": "items in all", "schema": {"type": "integer"}},
            "Link": {"description": 'next page: <url>; rel="next"', "schema": {"type": "string"}},
        },
    }
}


class Paging:
    def __init__(
        self,
        request: Request,
        response: Response,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> None:
        self.request, self.response = request, response
        self.limit, self.offset = limit, offset

    def rows(self, db: Session, query: Select[T]) -> list[T]:
        """One page of the query's rows, with the headers that say what else there is."""
        total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = list(db.scalars(query.limit(self.limit).offset(self.offset)))
        self.response.headers["X-Total-Count"] = str(total)
        if self.offset + self.limit < total:
            following = self.request.url.include_query_params(offset=self.offset + self.limit)
            self.response.headers["Link"] = f'<{following}>; rel="next"'
        return rows


Page = Annotated[Paging, Depends()]
