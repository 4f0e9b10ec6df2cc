"""The drug library: physicians, nurses and admins read it and its history; admins change it.

A change is the next version of the whole library, validated before it is stored: a limit the
library's rules refuse (a SOFT limit beyond a HARD one, a minimum above a maximum, an unknown
rule) is a 422 naming the JSON path and the value, and nothing is written. A change made on a
version that is no longer the newest is a 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ketapath.api.deps import Admin, Caller, allow
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.drug_library import (
    LibraryDocumentOut,
    LibraryOut,
    LibraryReplaceIn,
    LimitChangeIn,
    VersionOut,
)
from ketapath.services.clinic import drug_library

router = APIRouter(prefix="/drug-library", tags=["drug library"])

Reader = Annotated[Caller, allow(*drug_library.LIBRARY_READERS)]

_WRITE_ERRORS = problem_responses(409, 422)


@router.get("")
async def get_library(caller: Reader) -> LibraryOut:
    """The library in force: its version, who stored it, when, why, and every dose limit."""
    return LibraryOut.of(await caller.run(drug_library.get_library))


@router.get("/versions")
async def list_versions(caller: Reader) -> list[VersionOut]:
    """Every version, newest first, with who, when, why and what changed."""
    versions = await caller.run(drug_library.list_library_versions)
    return [VersionOut.of(version) for version in versions]


@router.get("/versions/{version}", responses=problem_responses(404, 422))
async def get_version(
    version: Annotated[int, Path(ge=1, le=1_000_000)], caller: Reader
) -> LibraryDocumentOut:
    """One version, with its whole document."""
    found = await caller.run(drug_library.get_library_version, version=version)
    return LibraryDocumentOut.of(found)


@router.post("/limit-changes", status_code=201, responses=_WRITE_ERRORS)
async def change_limit(body: LimitChangeIn, caller: Admin) -> LibraryOut:
    """Change one limit's value, with a reason (admin): the next version of the library."""
    changed = await caller.run(
        drug_library.change_limit,
        key=body.key,
        value=body.value,
        reason=body.reason,
        based_on_version=body.based_on_version,
    )
    return LibraryOut.of(changed)


@router.put("", responses=_WRITE_ERRORS)
async def replace_library(body: LibraryReplaceIn, caller: Admin) -> LibraryOut:
    """Store a whole reviewed library document, with a reason (admin), as the next version."""
    stored = await caller.run(
        drug_library.replace_library,
        document=body.document,
        reason=body.reason,
        based_on_version=body.based_on_version,
    )
    return LibraryOut.of(stored)
