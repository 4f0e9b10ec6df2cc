"""Sign-in requests and the tokens or sessions they give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ketapath.api.schemas.common import refuse_nul

__all__ = ["Credentials", "SessionOut", "TokenOut"]


class Credentials(BaseModel):
    """A username and password (JSON, or an OAuth2 password form)."""

    # An OAuth2 form may carry client_id, scope...: they are ignored.
    model_config = ConfigDict(extra="ignore")

    username: Annotated[
        str, StringConstraints(min_length=1, max_length=64), AfterValidator(refuse_nul)
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    grant_type: Literal["password"] | None = None


class TokenOut(BaseModel):
    """A bearer token (OAuth2 token response; `expires_in` is in seconds, as OAuth2 names it)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
    expires_at: datetime


class SessionOut(BaseModel):
    """A web session: the cookie is set; send `csrf_token` as X-CSRF-Token on unsafe requests."""

    csrf_token: str
    expires_at: datetime
    idle_minutes: int = Field(description="Minutes without a request before the session ends.")
