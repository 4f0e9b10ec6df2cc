"""Research output: de-identified aggregate cells only (never a per-patient row)."""

from __future__ import annotations

from ketapath.api.schemas.common import ApiModel
from ketapath.clinical.codes import Indication
from ketapath.services.clinic.research import ResearchSummary

__all__ = ["ResearchCellOut", "ResearchSummaryOut"]


class ResearchCellOut(ApiModel):
    """One indication and protocol; every number is null when the cell is suppressed."""

    indication: Indication
    protocol: str
    suppressed: bool
    patients: int | None
    courses: int | None
    responders: int | None
    responder_rate: float | None
    relief_courses: int | None
    relief_median_days: float | None


class ResearchSummaryOut(ApiModel):
    """Counts, responder rates and relief duration by indication and protocol."""

    min_cell_patients: int
    suppressed_cells: int
    cells: list[ResearchCellOut]
    note: str

    @classmethod
    def of(cls, summary: ResearchSummary) -> ResearchSummaryOut:
        """Return `summary` as the API shows it."""
        cells = [
            ResearchCellOut(
                indication=cell.indication,
                protocol=cell.protocol,
                suppressed=cell.suppressed,
                patients=cell.patients,
                courses=cell.courses,
                responders=cell.responders,
                responder_rate=cell.responder_rate,
                relief_courses=cell.relief_courses,
                relief_median_days=cell.relief_median_days,
            )
            for cell in summary.cells
        ]
        return cls(
            min_cell_patients=summary.min_cell_patients,
            suppressed_cells=summary.suppressed_cells,
            cells=cells,
            note=summary.note,
        )
