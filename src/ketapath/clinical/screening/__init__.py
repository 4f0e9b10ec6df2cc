"""Screening a patient for ketamine therapy, and the data still missing to decide.

``indications`` (IND-*, EV-*), ``contraindications`` (CI-1 … CI-18) and ``interactions``
(DDI-1 … DDI-12) each return findings; ``verdict.screen`` runs them all and decides ELIGIBLE,
ELIGIBLE WITH CAUTIONS, NEEDS REVIEW or EXCLUDED, listing the data still missing.

Pure rules over `ketapath.clinical.records`: may import the standard library, `ketapath.errors`
and the rest of `ketapath.clinical`; never I/O, a database, pydantic or a CLI library.
"""

from ketapath.clinical.screening.verdict import MissingData, ScreeningResult, Verdict, screen

__all__ = ["MissingData", "ScreeningResult", "Verdict", "screen"]
