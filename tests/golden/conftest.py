"""Golden checks: the ``--update-golden`` option.

Only files of computed reference values (``tests/golden/data/*.generated.json``, written by
generators that share no code with the engine) are regenerated, and only with this option:
``pytest tests/golden --update-golden``. Values typed in from papers are never regenerated.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="regenerate the computed golden files under tests/golden/data before comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to regenerate the computed golden files."""
    return bool(request.config.getoption("--update-golden", default=False))
