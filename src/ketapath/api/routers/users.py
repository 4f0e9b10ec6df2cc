"""User accounts: admins create, list and deactivate them; anyone reads their own."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Admin, AnyUser
from ketapath.api.pagination import Page, PageQuery
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.common import ReasonIn
from ketapath.api.schemas.users import UserCreate, UserOut
from ketapath.services.access import users

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", responses=problem_responses(401))
async def get_me(caller: AnyUser) -> UserOut:
    """The signed-in user's own account."""
    return UserOut.of(await caller.run(users.get_own_account))


@router.post("", status_code=201, responses=problem_responses(409, 422))
async def create_user(body: UserCreate, caller: Admin) -> UserOut:
    """Create an account (admin)."""
    created = await caller.run(
        users.create_account,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        password=body.password,
        clinic_id=body.clinic_id,
    )
    return UserOut.of(created)


@router.get("", responses=problem_responses(422))
async def list_users(page: PageQuery, caller: Admin) -> Page[UserOut]:
    """List the accounts, by username (admin)."""
    found = await caller.run(users.list_accounts, limit=page.limit, offset=page.offset)
    return Page.of([UserOut.of(u) for u in found.items], total=found.total, params=page)


@router.post("/{user_id}/deactivate", responses=problem_responses(404, 409, 422))
async def deactivate_user(user_id: uuid.UUID, body: ReasonIn, caller: Admin) -> UserOut:
    """Deactivate an account (admin): it can no longer sign in; its records stay."""
    return UserOut.of(await caller.run(users.deactivate_account, user_id, reason=body.reason))
