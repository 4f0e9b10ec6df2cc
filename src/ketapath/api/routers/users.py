"""User accounts: admins create, list and deactivate them; anyone reads their own."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Admin, AnyUser, ServicesDep
from ketapath.api.pagination import Page, PageQuery
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.common import ReasonIn
from ketapath.api.schemas.users import UserCreate, UserOut
from ketapath.services.access import users

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", responses=problem_responses(401))
def get_me(services: ServicesDep, context: AnyUser) -> UserOut:
    """The signed-in user's own account."""
    return UserOut.of(users.get_own_account(services, context))


@router.post("", status_code=201, responses=problem_responses(409, 422))
def create_user(body: UserCreate, services: ServicesDep, context: Admin) -> UserOut:
    """Create an account (admin)."""
    created = users.create_account(
        services,
        context,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        password=body.password,
        clinic_id=body.clinic_id,
    )
    return UserOut.of(created)


@router.get("", responses=problem_responses(422))
def list_users(page: PageQuery, services: ServicesDep, context: Admin) -> Page[UserOut]:
    """List the accounts, by username (admin)."""
    found = users.list_accounts(services, context, limit=page.limit, offset=page.offset)
    return Page.of([UserOut.of(u) for u in found.items], total=found.total, params=page)


@router.post("/{user_id}/deactivate", responses=problem_responses(404, 409, 422))
def deactivate_user(
    user_id: uuid.UUID, body: ReasonIn, services: ServicesDep, context: Admin
) -> UserOut:
    """Deactivate an account (admin): it can no longer sign in; its records stay."""
    return UserOut.of(users.deactivate_account(services, context, user_id, reason=body.reason))
