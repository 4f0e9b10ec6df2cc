"""The norketamine disposition shared by the models that publish none of their own.

Otto 2021 (Eur J Clin Pharmacol 77:1181, doi 10.1007/s00228-021-03104-1, Table 3) re-estimated an
S-norketamine disposition in 48 healthy volunteers: V 98.6 L, CL 57.7 L/h, Vp 160 L, Q 42.8 L/h
per 70 kg, allometric on the central volume (1) and the clearance (0.75) only. It is the only
norketamine model with a full parameter table in the reference notes, so the racemic models
borrow it. The fraction of ketamine clearance that forms norketamine is fixed at 0.80, the value
Simons 2022 fixed for S-ketamine (doi 10.3389/fpain.2022.946486). Both are assumptions for
racemic ketamine.
"""

from __future__ import annotations

from ketapath.pk.models.base import Disposition, Metabolite

__all__ = ["OTTO_NORKETAMINE", "RACEMIC_NORKETAMINE"]

OTTO_NORKETAMINE = Disposition(
    v_l=(98.6, 160.0),
    cl_l_per_min=57.7 / 60,
    q_l_per_min=(42.8 / 60,),
    cl_exponent=0.75,
    scale_peripherals=False,  # Otto scaled only the central volume and clearance
)

RACEMIC_NORKETAMINE = Metabolite(
    disposition=OTTO_NORKETAMINE,
    fm=0.80,
    source="disposition Otto 2021 (S-norketamine); fm 0.80 Simons 2022 — borrowed for racemic",
)
