"""Page-number pagination with totals."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PER_PAGE = 100


class PageParams(BaseModel):
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page (1 to 100).")] = 20,
) -> PageParams:
    return PageParams(page=page, per_page=per_page)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="The items of this page.")
    total: int = Field(description="Number of items matching the query, across all pages.")
    page: int = Field(description="This page's number, from 1.")
    per_page: int = Field(description="Page size.")
    pages: int = Field(description="Number of pages.")

    @classmethod
    def build(cls, items: list[T], total: int, params: PageParams) -> Page[T]:
        pages = (total + params.per_page - 1) // params.per_page
        return cls(items=items, total=total, page=params.page, per_page=params.per_page, pages=pages)


def page_json(items: list[Any], total: int, params: PageParams) -> dict[str, Any]:
    """The `Page` envelope as plain data, for routes that serialise rows without a model round-trip."""
    pages = (total + params.per_page - 1) // params.per_page
    return {"items": items, "total": total, "page": params.page, "per_page": params.per_page, "pages": pages}


def page_of(items: list[T], params: PageParams) -> Page[T]:
    """A page of a collection small enough to be read whole (a contract's reports, an offer list): one shape for
    every list, whether the database or the code pages it."""
    return Page.build(items[params.offset : params.offset + params.per_page], len(items), params)
