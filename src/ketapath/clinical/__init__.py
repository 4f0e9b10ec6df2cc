"""Layer 2: the clinical rules of KetaPath, as pure functions over typed, immutable records.

Screening, dose guardrails and pump rates, monitoring alarms and stop rules, discharge readiness,
instrument scoring, outcomes and safety surveillance. Every rule carries the id it has in the
clinical reference (CI-1, DC-3, MON-2...) and its sources; a rule that fires returns a `Finding`.

May import: the standard library and `ketapath.pk`, `ketapath.errors`. Never a database, a web
framework, pydantic, or any I/O.
"""
