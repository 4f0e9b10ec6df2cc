"""The drug library: hard and soft dose limits per care area and route, read from a data file.

The library is data (``data/drug_library.json``), kept apart from the code as an infusion pump's
dose-error-reduction library is: pharmacists review the file, the code only reads it. Loading
checks every entry and raises `DataError` naming the JSON path of the first bad value, so the
guardrails never meet a malformed limit. The checks also hold the library to the project's
rules: every limit names a known rule, a limit resting only on unverified content (G) or on a
number the reference does not give (``chosen``) is never HARD, the neuraxial route is blocked
(HARD) in every care area (conflict C8), and the limits of one route or one protocol on one
quantity agree with each other: a SOFT or INFO limit never lies beyond a HARD one (it could never
act before the hard limit blocks), and a minimum never lies above a maximum (no value could pass
both). A protocol's limits are compared among themselves, not with a care area's: a protocol may
be meant for one care area only (the inpatient CRPS infusion's 120 h lies beyond the outpatient
clinic's 24 h HARD ceiling, which still blocks it there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import permutations
from pathlib import Path
from types import MappingProxyType

from ketapath.clinical.dosing.datafile import (
    validate_choice,
    validate_keys,
    validate_list,
    validate_note,
    validate_object,
    validate_positive,
    validate_text,
)
from ketapath.clinical.dosing.orders import CareArea, Route
from ketapath.clinical.dosing.quantities import Quantity
from ketapath.clinical.dosing.rules import RULES_BY_ID
from ketapath.clinical.finding import Evidence, Rule, Severity
from ketapath.errors import DataError, InputError

__all__ = [
    "Citation",
    "Comparison",
    "ConcentrationSpec",
    "DrugLibrary",
    "Limit",
    "RouteProfile",
    "load_library",
    "parse_library",
]

# Values this close to a limit count as on it: a dose computed as 0.35 mg/kg × 70 kg / 70 kg must
# not fail a 0.35 mg/kg limit through floating-point rounding.
_RELATIVE_TOLERANCE = 1e-9


class Comparison(StrEnum):
    """The condition a value must meet to pass a limit."""

    AT_MOST = "<="
    BELOW = "<"
    AT_LEAST = ">="
    ABOVE = ">"

    def is_met(self, value: float, limit: float) -> bool:
        """True when ``value`` meets the condition against ``limit`` (rounding-tolerant)."""
        slack = _RELATIVE_TOLERANCE * abs(limit)
        if self is Comparison.AT_MOST:
            return value <= limit + slack
        if self is Comparison.BELOW:
            return value < limit - slack
        if self is Comparison.AT_LEAST:
            return value >= limit - slack
        return value > limit + slack


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """Where a library entry comes from and how strongly it acts."""

    rule: Rule
    strength: Severity
    sources: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    note: str
    chosen: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Limit:
    """One bound on one quantity: ``quantity allowed value`` must hold, e.g. ``rate <= 1.0``."""

    quantity: Quantity
    allowed: Comparison
    value: float
    citation: Citation
    first_session_only: bool = False

    def is_met(self, value: float) -> bool:
        """True when ``value`` (in the quantity's unit) passes this limit."""
        return self.allowed.is_met(value, self.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcentrationSpec:
    """The standard concentrations of a route, mg/mL, and what a non-standard one fires."""

    values_mg_per_ml: tuple[float, ...]
    citation: Citation


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteProfile:
    """A route in a care area: a gate (None: allowed), standard concentrations and limits."""

    route: Route
    gate: Citation | None
    concentrations: ConcentrationSpec | None
    limits: tuple[Limit, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolLimits:
    """Limits that apply, in every care area, to orders of one named protocol."""

    protocol: str
    route: Route
    limits: tuple[Limit, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DrugLibrary:
    """A validated drug library.

    Parameters
    ----------
    name, version : str
        What the library is, for the audit trail.
    care_areas : Mapping
        ``{CareArea: {Route: RouteProfile}}``, every care area and every route.
    protocols : Mapping
        ``{protocol name: ProtocolLimits}``.
    take_home_routes : frozenset of Route
        Routes that may be supplied for use at home.
    take_home : Citation
        What an order to take another route home fires.
    """

    name: str
    version: str
    care_areas: Mapping[CareArea, Mapping[Route, RouteProfile]]
    protocols: Mapping[str, ProtocolLimits]
    take_home_routes: frozenset[Route]
    take_home: Citation

    def find_route(self, care_area: CareArea, route: Route) -> RouteProfile:
        """Return the profile of ``route`` in ``care_area``."""
        return self.care_areas[CareArea(care_area)][Route(route)]


def load_library(path: Path | None = None) -> DrugLibrary:
    """Read and validate a drug library file; the packaged library when ``path`` is None.

    Parameters
    ----------
    path : Path, optional
        A JSON file in the packaged library's format.

    Returns
    -------
    DrugLibrary
        The validated library.

    Raises
    ------
    InputError
        When ``path`` cannot be read.
    DataError
        When the file is not valid JSON or an entry breaks the format (the message names the
        entry's JSON path).

    Examples
    --------
    >>> library = load_library()
    >>> [limit.value for limit in library.find_route("ward", "iv_infusion").limits][:3]
    [1.0, 0.1, 0.5]
    """
    if path is None:
        return _packaged_library()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"`path` must be a readable drug library file (got {str(path)!r}: {exc.strerror})."
        raise InputError(msg, field="path", value=str(path)) from None
    return _parse_text(text)


@cache
def _packaged_library() -> DrugLibrary:
    text = resources.files(__package__).joinpath("data/drug_library.json").read_text("utf-8")
    return _parse_text(text)


def _parse_text(text: str) -> DrugLibrary:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"The drug library is not valid JSON (line {exc.lineno}: {exc.msg})."
        raise DataError(msg) from None
    return parse_library(data)


def parse_library(data: object) -> DrugLibrary:
    """Validate the decoded JSON of a drug library into records (see `load_library`)."""
    top = validate_object(data, "", required=("library", "version", "care_areas", "protocols"))
    validate_keys(
        top, "", ("library", "version", "drug", "notes", "take_home", "care_areas", "protocols")
    )
    areas = validate_object(top["care_areas"], "care_areas", required=tuple(CareArea))
    protocols = validate_object(top["protocols"], "protocols")
    take_home = validate_object(top.get("take_home"), "take_home", required=("routes",))
    return DrugLibrary(
        name=validate_text(top["library"], "library"),
        version=validate_text(top["version"], "version"),
        care_areas=MappingProxyType(
            {CareArea(name): _care_area(areas[name], f"care_areas.{name}") for name in CareArea}
        ),
        protocols=MappingProxyType(
            {name: _protocol(name, entry, f"protocols.{name}") for name, entry in protocols.items()}
        ),
        take_home_routes=frozenset(
            validate_choice(r, Route, f"take_home.routes[{i}]")
            for i, r in enumerate(validate_list(take_home["routes"], "take_home.routes"))
        ),
        take_home=_citation(take_home, "take_home", extra=("routes",)),
    )


def _care_area(data: object, path: str) -> Mapping[Route, RouteProfile]:
    entry = validate_object(data, path, required=("routes",))
    validate_keys(entry, path, ("description", "routes"))
    routes = validate_object(entry["routes"], f"{path}.routes", required=tuple(Route))
    profiles = {route: _route(route, routes[route], f"{path}.routes.{route}") for route in Route}
    neuraxial = profiles[Route.NEURAXIAL].gate
    if neuraxial is None or neuraxial.strength is not Severity.HARD:
        msg = f"`{path}.routes.neuraxial.gate` must block the route (HARD, conflict C8)."
        raise DataError(msg)
    return MappingProxyType(profiles)


def _route(route: Route, data: object, path: str) -> RouteProfile:
    entry = validate_object(data, path, required=("gate", "concentrations", "limits"))
    validate_keys(entry, path, ("gate", "concentrations", "limits"))
    gate = None
    if entry["gate"] is not None:
        gate = _citation(validate_object(entry["gate"], f"{path}.gate"), f"{path}.gate")
    concentrations = None
    if entry["concentrations"] is not None:
        spec = validate_object(
            entry["concentrations"], f"{path}.concentrations", required=("values_mg_per_ml",)
        )
        values = validate_list(spec["values_mg_per_ml"], f"{path}.concentrations.values_mg_per_ml")
        concentrations = ConcentrationSpec(
            values_mg_per_ml=tuple(
                validate_positive(v, f"{path}.concentrations.values_mg_per_ml[{i}]")
                for i, v in enumerate(values)
            ),
            citation=_citation(spec, f"{path}.concentrations", extra=("values_mg_per_ml",)),
        )
    return RouteProfile(
        route=route,
        gate=gate,
        concentrations=concentrations,
        limits=_limits(entry["limits"], f"{path}.limits"),
    )


def _protocol(name: str, data: object, path: str) -> ProtocolLimits:
    entry = validate_object(data, path, required=("route", "limits"))
    validate_keys(entry, path, ("route", "limits"))
    return ProtocolLimits(
        protocol=name,
        route=validate_choice(entry["route"], Route, f"{path}.route"),
        limits=_limits(entry["limits"], f"{path}.limits"),
    )


def _limits(data: object, path: str) -> tuple[Limit, ...]:
    items = validate_list(data, path)
    paths = [f"{path}[{i}]" for i in range(len(items))]
    limits = tuple(_limit(item, where) for item, where in zip(items, paths, strict=True))
    _check_agreement(list(zip(paths, limits, strict=True)))
    return limits


def _limit(data: object, path: str) -> Limit:
    entry = validate_object(data, path, required=("quantity", "allowed", "value"))
    when = entry.get("when")
    if when not in (None, "first_session"):
        raise DataError(f"`{path}.when` must be first_session or absent (got {when!r}).")
    return Limit(
        quantity=validate_choice(entry["quantity"], Quantity, f"{path}.quantity"),
        allowed=validate_choice(entry["allowed"], Comparison, f"{path}.allowed"),
        value=validate_positive(entry["value"], f"{path}.value"),
        citation=_citation(entry, path, extra=("quantity", "allowed", "value", "when")),
        first_session_only=when == "first_session",
    )


_MAXIMA = frozenset({Comparison.AT_MOST, Comparison.BELOW})


def _check_agreement(limits: Sequence[tuple[str, Limit]]) -> None:
    """Refuse two limits on one quantity that contradict each other (see the module docstring)."""
    for (path, limit), (other_path, other) in permutations(limits, 2):
        if limit.quantity is not other.quantity:
            continue
        unit, name = limit.quantity.unit, limit.quantity.label
        if _lies_beyond_hard(limit, other):
            bound = "<=" if limit.allowed in _MAXIMA else ">="
            msg = (
                f"`{path}.value` must be {bound} {other.value:g} {unit}, the HARD limit "
                f"`{other_path}` on the {name}: a {limit.citation.strength} limit beyond a hard "
                f"one can never act before it (got {limit.value:g} {unit})."
            )
            raise DataError(msg)
        if limit.allowed not in _MAXIMA and other.allowed in _MAXIMA and _is_empty(limit, other):
            msg = (
                f"`{path}.value` must leave room under the maximum `{other_path}` "
                f"({other.allowed} {other.value:g} {unit}): no {name} could pass both "
                f"(got {limit.allowed} {limit.value:g} {unit})."
            )
            raise DataError(msg)


def _lies_beyond_hard(limit: Limit, hard: Limit) -> bool:
    """True when a SOFT or INFO `limit` lies beyond `hard` wherever both apply, same direction."""
    if limit.citation.strength is Severity.HARD or hard.citation.strength is not Severity.HARD:
        return False
    if (limit.allowed in _MAXIMA) is not (hard.allowed in _MAXIMA):
        return False
    if hard.first_session_only and not limit.first_session_only:
        return False  # after the first session only `limit` applies: no conflict
    if limit.allowed in _MAXIMA:
        return limit.value > hard.value
    return limit.value < hard.value


def _is_empty(minimum: Limit, maximum: Limit) -> bool:
    """True when no value meets both `minimum` (>=, >) and `maximum` (<=, <)."""
    if minimum.value != maximum.value:
        return minimum.value > maximum.value
    return minimum.allowed is Comparison.ABOVE or maximum.allowed is Comparison.BELOW


def _citation(entry: Mapping[str, object], path: str, *, extra: tuple[str, ...] = ()) -> Citation:
    keys = ("strength", "rule_id", "sources", "evidence", "note", "chosen")
    validate_keys(entry, path, keys + extra)
    for key in keys[:5]:
        if key not in entry:
            raise DataError(f"`{path}.{key}` is required (got nothing).")
    rule_id = entry["rule_id"]
    if rule_id not in RULES_BY_ID:
        raise DataError(f"`{path}.rule_id` must name a dosing rule (got {rule_id!r}).")
    sources = validate_list(entry["sources"], f"{path}.sources")
    letters = validate_list(entry["evidence"], f"{path}.evidence")
    citation = Citation(
        rule=RULES_BY_ID[str(rule_id)],
        strength=validate_choice(entry["strength"], Severity, f"{path}.strength"),
        sources=tuple(validate_text(s, f"{path}.sources[{i}]") for i, s in enumerate(sources)),
        evidence=tuple(
            validate_choice(e, Evidence, f"{path}.evidence[{i}]") for i, e in enumerate(letters)
        ),
        note=validate_note(entry["note"], f"{path}.note"),
        chosen=_chosen(entry.get("chosen", False), f"{path}.chosen"),
    )
    _check_strength(citation, path)
    return citation


def _chosen(data: object, path: str) -> bool:
    if not isinstance(data, bool):
        raise DataError(f"`{path}` must be true or false (got {data!r}).")
    return data


def _check_strength(citation: Citation, path: str) -> None:
    if not citation.sources or not citation.evidence:
        raise DataError(f"`{path}` needs at least one source and one evidence letter.")
    unverified = set(citation.evidence) == {Evidence.UNVERIFIED}
    if citation.strength is Severity.HARD and (unverified or citation.chosen):
        why = "a number the reference does not give" if citation.chosen else "unverified content"
        raise DataError(f"`{path}.strength` must be SOFT for {why} (got HARD).")
    if citation.chosen and not citation.note.strip():
        raise DataError(f"`{path}.note` must say why the number was chosen (got nothing).")
