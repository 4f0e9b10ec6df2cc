"""What every instrument scorer shares: the score record, the registry entry, answer validation.

An instrument is scored from its raw answers, one integer per item in the questionnaire's own
order; ``None`` marks an item left unanswered, which only some instruments accept (BPI
interference, ODI sections). Answers are validated before any arithmetic: a wrong item count or a
value outside the item's range raises `InputError` naming the item, e.g.
``"`phq9.item_9` must be 0–3 (got 4)."``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ketapath.clinical.finding import Finding, Rule
from ketapath.errors import InputError

__all__ = [
    "Answers",
    "Instrument",
    "InstrumentScore",
    "validate_answers",
    "validate_count",
    "validate_partial_answers",
]

Answers = Sequence[int | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentScore:
    """The scored result of one questionnaire.

    Parameters
    ----------
    instrument : str
        Registry name of the instrument (``"phq9"``).
    total : float
        The headline score, in `unit`.
    maximum : float
        The highest headline score the instrument allows, in `unit`.
    unit : str
        ``"points"`` or ``"%"``.
    band : str
        The severity band or category the total falls in.
    subscores : Mapping of str to float
        Secondary scores (BPI interference, CADSS-6...), keyed by name.
    findings : tuple of Finding
        Alerts raised by the answers (PHQ-9 item 9 > 0...); empty when none.
    """

    instrument: str
    total: float
    maximum: float
    unit: str
    band: str
    subscores: Mapping[str, float] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "band", str(self.band))  # a band enum is kept as its text
        object.__setattr__(self, "subscores", MappingProxyType(dict(self.subscores)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """One entry of the instrument registry.

    Parameters
    ----------
    name : str
        Registry name, lower case (``"phq9"``).
    title : str
        Full name of the instrument.
    answers : str
        How the answers are given, for help texts (``"9 items, each 0–3"``).
    rule : Rule
        The reference rule that defines the scoring.
    score : callable
        Scores a sequence of answers and returns an `InstrumentScore`.
    """

    name: str
    title: str
    answers: str
    rule: Rule
    score: Callable[[Answers], InstrumentScore]


def _item_names(n_items: int, names: Sequence[str] | None) -> Sequence[str]:
    return names if names is not None else [f"item_{i}" for i in range(1, n_items + 1)]


def validate_answers(
    instrument: str,
    answers: Answers,
    *,
    n_items: int,
    allowed: range | Sequence[int],
    names: Sequence[str] | None = None,
) -> tuple[int, ...]:
    """Check a questionnaire's answers, every item required, and return them as a tuple.

    Parameters
    ----------
    instrument : str
        Registry name, used in error messages.
    answers : sequence of int
        One answer per item, in the questionnaire's order.
    n_items : int
        Number of items the instrument has.
    allowed : range or sequence of int
        The values an item may take.
    names : sequence of str, optional
        Item names for messages; ``item_1``, ``item_2``... by default.

    Returns
    -------
    tuple of int
        The answers, unchanged.

    Raises
    ------
    InputError
        If the item count is wrong, an answer is missing, or an answer lies outside `allowed`.

    Examples
    --------
    >>> validate_answers("nrs", [7], n_items=1, allowed=range(11))
    (7,)
    """
    checked = validate_partial_answers(
        instrument, answers, n_items=n_items, allowed=allowed, names=names
    )
    labels = _item_names(n_items, names)
    for label, value in zip(labels, checked, strict=True):
        if value is None:
            item = f"{instrument}.{label}"
            raise InputError(f"`{item}` must be answered (got no answer).", field=item)
    return tuple(v for v in checked if v is not None)


def validate_partial_answers(
    instrument: str,
    answers: Answers,
    *,
    n_items: int,
    allowed: range | Sequence[int],
    names: Sequence[str] | None = None,
) -> tuple[int | None, ...]:
    """Check a questionnaire's answers where items may be left unanswered (``None``).

    Parameters are those of `validate_answers`.

    Returns
    -------
    tuple of int or None
        The answers, unchanged.

    Raises
    ------
    InputError
        If the item count is wrong or an answer lies outside `allowed`.

    Examples
    --------
    >>> validate_partial_answers("odi", [1, None], n_items=2, allowed=range(6))
    (1, None)
    """
    validate_count(instrument, answers, n_items=n_items)
    for label, value in zip(_item_names(n_items, names), answers, strict=True):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            item = f"{instrument}.{label}"
            msg = f"`{item}` must be {_describe(allowed)} (got {value!r})."
            raise InputError(msg, field=item, value=value)
    return tuple(answers)


def validate_count(instrument: str, answers: Answers, *, n_items: int) -> None:
    """Check that a questionnaire has exactly `n_items` answers.

    Parameters
    ----------
    instrument : str
        Registry name, used in error messages.
    answers : sequence of int or None
        The answers.
    n_items : int
        Number of items the instrument has.

    Raises
    ------
    InputError
        If the count differs (a string is never a sequence of answers).

    Examples
    --------
    >>> validate_count("pgic", [2], n_items=1)
    """
    if isinstance(answers, str | bytes) or len(answers) != n_items:
        got = "a string" if isinstance(answers, str | bytes) else str(len(answers))
        msg = f"`{instrument}.answers` must hold {n_items} items (got {got})."
        raise InputError(msg, field=f"{instrument}.answers", value=answers)


def _describe(allowed: range | Sequence[int]) -> str:
    if isinstance(allowed, range) and allowed.step == 1:
        return f"{allowed.start}–{allowed.stop - 1}"
    return "one of " + ", ".join(str(v) for v in allowed)
