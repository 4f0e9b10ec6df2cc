"""The rule registry covers the clinical reference, its documentation is current, and every
implemented rule is exercised by a test.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from ketapath.clinical.finding import Evidence, Severity
from ketapath.clinical.registry import ALL_RULES, NOT_IMPLEMENTED, RULE_MODULES, find_rule

REPO = Path(__file__).resolve().parents[3]
REFERENCE = REPO.parent / "shared" / "reference" / "clinical.md"
TESTS = REPO / "tests"
# The first cell of a reference table row: IND-1, CI-3b, TOX-L1, STAFF-2, C4 ...
REFERENCE_ID = re.compile(r"^\|\s*([A-Z]+-[A-Z]?\d+[a-z]?|C\d+)\s*\|", re.MULTILINE)


def reference_ids() -> list[str]:
    return REFERENCE_ID.findall(REFERENCE.read_text(encoding="utf-8"))


def load_doc_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_rules_doc", REPO / "tools/gen_rules_doc.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_table_parser_finds_every_section():
    ids = reference_ids()
    prefixes = {re.sub(r"-?[A-Z]?\d+[a-z]?$", "", i) for i in ids}
    assert {"IND", "EV", "CI", "DC", "DA", "MON", "STAFF", "DIS", "DDI", "DEP", "TOX", "OUT"} <= (
        prefixes
    )
    assert {"C1", "C8", "TOX-L6", "TOX-U4", "CI-3b", "OUT-10"} <= set(ids)


def test_every_reference_id_is_implemented_or_explained():
    implemented = {rule.id for rule in ALL_RULES}
    missing = [i for i in reference_ids() if i not in implemented and i not in NOT_IMPLEMENTED]
    assert missing == []


def test_no_id_is_both_implemented_and_explained_away():
    assert sorted({rule.id for rule in ALL_RULES} & set(NOT_IMPLEMENTED)) == []


def test_not_implemented_ids_exist_in_the_reference():
    assert sorted(set(NOT_IMPLEMENTED) - set(reference_ids())) == []


def test_rule_ids_are_unique():
    counts = Counter(rule.id for rule in ALL_RULES)
    assert [rule_id for rule_id, n in counts.items() if n > 1] == []


def test_every_rule_names_its_module():
    assert set(RULE_MODULES) == {rule.id for rule in ALL_RULES}
    assert all(module.startswith("ketapath.clinical.") for module in RULE_MODULES.values())


def test_find_rule_returns_the_registered_rule_or_none():
    assert find_rule(ALL_RULES[0].id) is ALL_RULES[0]
    assert find_rule("NO-SUCH-RULE") is None


def test_rules_resting_on_unverified_facts_are_never_hard():
    # a G fact is coded SOFT (or INFO), also when the rule mixes it with sourced ones (MON-4)
    hard_g = [
        rule.id
        for rule in ALL_RULES
        if Evidence.UNVERIFIED in rule.evidence and rule.strength is Severity.HARD
    ]
    assert hard_g == []


def test_rules_doc_equals_the_generated_text():
    generated = load_doc_generator().render()
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == generated, (
        "docs/rules.md is stale: run python tools/gen_rules_doc.py"
    )


def test_rules_doc_lists_every_rule_and_every_exclusion():
    text = load_doc_generator().render()
    for rule in ALL_RULES:
        assert f"| {rule.id} | " in text
    for rule_id in NOT_IMPLEMENTED:
        assert f"| {rule_id} | " in text


@pytest.fixture(scope="module")
def test_sources() -> str:
    this = Path(__file__).resolve()
    files = sorted(p for p in TESTS.rglob("*.py") if p.resolve() != this)
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_implemented_rule_id_appears_in_a_test(test_sources):
    untested = [
        rule.id
        for rule in ALL_RULES
        if not re.search(rf"(?<![\w-]){re.escape(rule.id)}(?![\w])", test_sources)
    ]
    assert untested == []
