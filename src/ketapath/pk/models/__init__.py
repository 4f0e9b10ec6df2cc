"""The published ketamine models, by key."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ketapath.errors import InputError
from ketapath.pk.models.base import PKModel
from ketapath.pk.models.paediatric import HERD_2007, HORNIK_2018
from ketapath.pk.models.racemic import CLEMENTS_250, DOMINO, HIJAZI, KAMP_2020
from ketapath.pk.models.s_ketamine import OTTO_2021

__all__ = ["MODELS", "PKModel", "get_model"]

MODELS: Mapping[str, PKModel] = MappingProxyType(
    {m.key: m for m in (DOMINO, CLEMENTS_250, HIJAZI, KAMP_2020, HERD_2007, HORNIK_2018, OTTO_2021)}
)


def get_model(key: str) -> PKModel:
    """Return the model with this key, or raise `InputError` naming the allowed keys.

    Examples
    --------
    >>> get_model("domino").name
    'Domino'
    """
    try:
        return MODELS[key]
    except KeyError:
        allowed = ", ".join(MODELS)
        msg = f"`model` must be one of {allowed} (got {key!r})."
        raise InputError(msg, field="model", value=key) from None
