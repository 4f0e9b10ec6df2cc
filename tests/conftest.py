"""Test-suite settings shared by every test folder: the Hypothesis profile and BLAS threads.

``KETAPATH_HYPOTHESIS_EXAMPLES`` sets how many examples each property test draws (default 25);
the profile is derandomised, so a run is reproducible, and a nightly job raises the count.
"""

from __future__ import annotations

import os

# The engine multiplies small matrices (about 16 x 16), where threaded BLAS only adds overhead; on a
# busy 2-core machine the threads contend and the pharmacokinetic tests take twice as long. This
# must run before numpy is first imported (this file is loaded before any test module).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=int(os.environ.get("KETAPATH_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    database=None,  # derandomised runs replay nothing, so nothing is written to disk
)
settings.load_profile("ci")
