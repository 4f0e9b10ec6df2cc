"""The Jinja2 environment of the pages: autoescaping, strict undefined names, a few filters.

Filters and globals only format (no logic): `ticks` turns the backticked field names of
KetaPath's messages into ``<code>``, `label` shows a stored name (``in_progress``) as words
("In progress"), `static_url` versions the static files so that a new
release is not served from a stale cache.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ketapath import __version__

__all__ = ["STATIC_PATH", "create_environment", "label", "static_url", "ticks"]

STATIC_PATH = "/static"


def static_url(path: str) -> str:
    """Return the URL of a file under ``static/``, versioned with the release."""
    return f"{STATIC_PATH}/{path.lstrip('/')}?v={__version__}"


def ticks(text: object) -> Markup:
    """Escape `text`, showing each `backticked` name as ``<code>``.

    >>> str(ticks("`weight_kg` must be > 0 (got <b>)."))
    '<code>weight_kg</code> must be &gt; 0 (got &lt;b&gt;).'
    """
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return escape(str(text))
    shown = [
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    ]
    return Markup("").join(shown)


_ACRONYMS = frozenset(
    {
        # drug classes and enzymes
        "cyp", "cyp3a", "cyp2b6", "maoi", "ssri", "snri", "nmda", "cns", "nsaid",
        # routes (``in``, intranasal, is left out: it is also the word of ``in_progress``)
        "iv", "im", "sc", "sl", "po",
        # indications, conditions and care areas
        "crps", "ptsd", "copd", "pacu", "icu", "ed",
        # instruments, scores and laboratory tests
        "nrs", "bpi", "odi", "cadss", "pgic", "rass", "padss", "alt", "ast", "alp", "ggt", "uln",
    }
)  # fmt: skip
_WORDS = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "cadss6": "CADSS-6",
    "moaas": "MOAA/S",
    "spo2": "SpO2",
    "johns": "John's",
}


def _word(word: str) -> str:
    if word in _WORDS:
        return _WORDS[word]
    return word.upper() if word in _ACRONYMS else word


def label(name: object) -> str:
    """Show a stored name (a status, a care area, a protocol) as words for a person.

    Acronyms are written in capitals (drug classes, routes, conditions, care areas, scores).

    >>> label("in_progress"), label("outpatient_crps"), label("monitored_pacu")
    ('In progress', 'Outpatient CRPS', 'Monitored PACU')
    >>> label("strong_cyp3a_inhibitor"), label("maoi"), label("cns_depressant")
    ('Strong CYP3A inhibitor', 'MAOI', 'CNS depressant')
    >>> label("iv_bolus"), label("im"), label("ed_subdissociative_push"), label("ssri")
    ('IV bolus', 'IM', 'ED subdissociative push', 'SSRI')
    >>> label("phq9"), label("st_johns_wort"), label("ptsd"), label("icu")
    ('PHQ-9', "St John's wort", 'PTSD', 'ICU')
    """
    words = [_word(word) for word in str(name).split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def create_environment() -> Environment:
    """Return the environment that loads ``ketapath/web/templates``."""
    environment = Environment(
        loader=PackageLoader("ketapath.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters["ticks"] = ticks
    environment.filters["label"] = label
    environment.globals["static_url"] = static_url
    environment.globals["version"] = __version__
    return environment
