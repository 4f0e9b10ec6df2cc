"""Today: the chair board (booked, in session, in recovery, ready for discharge).

The board's region reloads itself every 30 s with HTMX (``GET /today/board`` answers the
partial), so a nurse sees a new alarm or a finished infusion without reloading the page.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketapath.services.clinic.board import Board, today_board
from ketapath.web.forms import context_of
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["REFRESH_SECONDS", "routes"]

REFRESH_SECONDS = 30
"""How often the board reloads itself."""


async def _board(request: Request, user: PageUser) -> Board:
    context = context_of(request, user)
    return await run_in_threadpool(today_board, services_of(request), context)


async def show_today(request: Request, user: PageUser) -> Response:
    """The chair board page."""
    board = await _board(request, user)
    return render(request, "today.html", user=user, board=board, refresh_s=REFRESH_SECONDS)


async def board_partial(request: Request, user: PageUser) -> Response:
    """The board's region alone (the page's 30-s refresh)."""
    board = await _board(request, user)
    return render(request, "today_board.html", user=user, board=board, refresh_s=REFRESH_SECONDS)


routes = (
    Route("/today", signed_in(show_today), methods=["GET"], name="today"),
    Route("/today/board", signed_in(board_partial), methods=["GET"], name="today_board"),
)
