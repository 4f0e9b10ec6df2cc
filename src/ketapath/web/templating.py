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


_ACRONYMS = {"crps": "CRPS", "iv": "IV", "im": "IM", "pacu": "PACU", "icu": "ICU", "ed": "ED"}


def label(name: object) -> str:
    """Show a stored name (a status, a care area, a protocol) as words for a person.

    >>> label("in_progress"), label("outpatient_crps"), label("monitored_pacu")
    ('In progress', 'Outpatient CRPS', 'Monitored PACU')
    """
    words = [_ACRONYMS.get(word, word) for word in str(name).split("_") if word]
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
