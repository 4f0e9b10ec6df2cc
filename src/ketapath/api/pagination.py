"""Pages of a list: `PageParams` (``?limit=&offset=``) in, `Page[T]` out.

@router.get("", response_model=Page[PatientSummary])
async def list_patients(page: PageQuery, caller: Clinician) -> Page[PatientSummary]:
    found = await caller.run(service, limit=page.limit, offset=page.offset)
    return Page.of([...], total=found.total, params=page)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "Page", "PageParams", "PageQuery"]

T = TypeVar("T")

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000
"""Bounded so that no offset overflows a database integer."""


class PageParams(BaseModel):
    """Which slice of a list to return."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="Items to skip (>= 0).")


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-200).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageQuery = Annotated[PageParams, Depends(_page_params)]
"""The ``limit`` and ``offset`` query parameters of a list route."""


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of items across all pages."""

    items: list[T]
    total: int = Field(ge=0, description="Items across all pages.")
    limit: int = Field(ge=1, le=MAX_LIMIT)
    offset: int = Field(ge=0)

    @classmethod
    def of(cls, items: Sequence[T], *, total: int, params: PageParams) -> Page[T]:
        """Return the page `items` of a list of `total` items, cut with `params`."""
        return cls(items=list(items), total=total, limit=params.limit, offset=params.offset)
