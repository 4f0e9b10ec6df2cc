"""Rules written as the clinical reference writes them: one table row per rule.

Each screening module keeps its rules in a plain-text table that a clinician can review against
the reference line by line::

    id    | strength | status | sources               | title
    CI-9  | HARD     | F      | Schwenk2018; SpravatoPI | Pregnancy

`strength` is HARD, SOFT or INFO; `status` is the reference's letters joined by ``+`` (S, F, G);
`sources` are separated by ``;``.
"""

from __future__ import annotations

from ketapath.clinical.finding import Evidence, Rule, Severity

__all__ = ["parse_rules"]


def parse_rules(table: str) -> dict[str, Rule]:
    """Parse a rule table into rules keyed by id, in table order.

    Parameters
    ----------
    table : str
        A header line, then one ``id | strength | status | sources | title`` row per rule.

    Returns
    -------
    dict of str to Rule
        The rules by id.

    Raises
    ------
    ValueError
        When a row has the wrong number of cells or an unknown strength or status letter;
        this is a programming error in a module's table, caught at import.

    Examples
    --------
    >>> rules = parse_rules('''
    ... id   | strength | status | sources                 | title
    ... CI-9 | HARD     | F      | Schwenk2018; SpravatoPI | Pregnancy
    ... ''')
    >>> rules["CI-9"].sources
    ('Schwenk2018', 'SpravatoPI')
    """
    rows = [line for line in table.strip().splitlines()[1:] if line.strip()]
    rules: dict[str, Rule] = {}
    for row in rows:
        cells = [cell.strip() for cell in row.split("|")]
        if len(cells) != 5:
            msg = f"A rule row needs 5 cells separated by '|' (got {len(cells)}: {row!r})."
            raise ValueError(msg)
        rule_id, strength, status, sources, title = cells
        rules[rule_id] = Rule(
            id=rule_id,
            title=title,
            strength=Severity(strength),
            sources=tuple(source.strip() for source in sources.split(";")),
            evidence=tuple(Evidence(letter) for letter in status.split("+")),
        )
    return rules
