"""Test-suite settings shared by every test folder: the Hypothesis profile.

``KETAPATH_HYPOTHESIS_EXAMPLES`` sets how many examples each property test draws (default 25);
the profile is derandomised, so a run is reproducible, and a nightly job raises the count.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=int(os.environ.get("KETAPATH_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    database=None,  # derandomised runs replay nothing, so nothing is written to disk
)
settings.load_profile("ci")
