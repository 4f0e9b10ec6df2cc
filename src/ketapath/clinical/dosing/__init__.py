"""Dose guardrails, pump arithmetic and named protocols for ketamine orders.

A drug library (``data/drug_library.json``, in the style of an infusion pump's dose-error-reduction
library) holds the hard and soft limits per care area and route, each with the reference rule it
comes from. `guardrails.check_order` compares an order with it and returns findings, never a
clamped order; `plan.create_plan` turns a named protocol into orders for one patient.

May import: the standard library, `ketapath.errors` and the rest of `ketapath.clinical`. No I/O
beyond reading the packaged data file, and no pydantic, web or database code.
"""
