"""User accounts as the API shows them (never a password or its hash)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from ketapath.api.schemas.common import ApiModel, Text
from ketapath.services.access.users import UserRecord, UserRole

__all__ = ["UserCreate", "UserOut"]


class UserCreate(ApiModel):
    """A new account."""

    username: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$"),
    ]
    full_name: Text
    role: UserRole
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)]
    clinic_id: uuid.UUID | None = None


class UserOut(ApiModel):
    """An account."""

    id: uuid.UUID
    username: str
    full_name: str
    role: UserRole
    clinic_id: uuid.UUID | None
    active: bool
    created_at: datetime
    deactivated_at: datetime | None

    @classmethod
    def of(cls, user: UserRecord) -> UserOut:
        """Return the account `user` as shown by the API."""
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            clinic_id=user.clinic_id,
            active=user.active,
            created_at=user.created_at,
            deactivated_at=user.deactivated_at,
        )
