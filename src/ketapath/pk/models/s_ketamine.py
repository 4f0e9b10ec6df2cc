"""S-ketamine with S-norketamine and inter-individual variability: Fanta 2015 / Otto 2021.

Fanta 2015 (Eur J Clin Pharmacol 71:441, doi 10.1007/s00228-015-1826-y): 11 healthy men, IV and
oral S-ketamine; oral F 0.08; CL 95 L/h/70 kg. Otto 2021 (doi 10.1007/s00228-021-03104-1) fixed the
S-ketamine disposition to Fanta (V1 133 L, CL 95.2 L/h, Vp1 187 L, Q1 23.2 L/h, Vp2 98.8 L,
Q2 157 L/h) and re-estimated S-norketamine on 48 volunteers, with all S-ketamine clearance forming
S-norketamine (fm = 1). Allometric scaling on the central volume (1) and clearance (0.75) only.
Variability (omega², correlated): S-ketamine V 0.084, CL 0.026, cov 0.023; S-norketamine V 0.040,
CL 0.103, cov 0.044.

ke0: Olofsen 2012 (Anesthesiology 117:353) measured a blood–effect-site equilibration half-life
for pain intensity of 6.1 min on average (0–11.8): ke0 = ln 2 / 6.1 = 0.114 /min.

Racemic scaling: concentrations are of S-ketamine per mg of S-ketamine given. For a racemic dose,
half is S-ketamine; R- and S-ketamine have similar disposition (Hasan 2021: metabolic CL 1530 vs
1620 mL/min, Vss 5.6 vs 6.6 L/kg), so total ketamine after a racemic dose is approximated by this
model applied to the whole racemic dose. Oral F 0.08 is for S-ketamine (racemic oral F is ≈0.2).
Routes: those with S-ketamine absorption data (IV, oral, intranasal, oral-mucosal film).
"""

from __future__ import annotations

import math

from ketapath.pk.models.base import Disposition, Metabolite, PKModel, Variability
from ketapath.pk.models.norketamine import OTTO_NORKETAMINE
from ketapath.pk.regimen import Route
from ketapath.pk.routes import S_KETAMINE_ROUTES, restrict

__all__ = ["OTTO_2021"]

OTTO_2021 = PKModel(
    key="otto2021",
    name="Fanta/Otto S-ketamine + S-norketamine",
    citation="Fanta S et al. Eur J Clin Pharmacol 2015;71:441; Otto ME et al. Eur J Clin "
    "Pharmacol 2021;77:1181 (doi 10.1007/s00228-021-03104-1)",
    population="healthy adult volunteers (11 men IV/oral; 48 volunteers for S-norketamine)",
    drug="S-ketamine (esketamine); racemic: whole dose, see notes",
    disposition=Disposition(
        v_l=(133.0, 187.0, 98.8),
        cl_l_per_min=95.2 / 60,
        q_l_per_min=(23.2 / 60, 157.0 / 60),
        cl_exponent=0.75,
        scale_peripherals=False,
    ),
    ke0_per_min=math.log(2) / 6.1,
    ke0_source="Olofsen 2012: measured t½ke0 6.1 min for S-ketamine analgesia",
    metabolite=Metabolite(disposition=OTTO_NORKETAMINE, fm=1.0, source="Otto 2021 (fm fixed at 1)"),
    routes=restrict(S_KETAMINE_ROUTES, {Route.IV, Route.ORAL, Route.INTRANASAL, Route.SUBLINGUAL}),
    weight_range_kg=(50.0, 110.0),
    age_range_years=(18.0, 65.0),
    variability=Variability(
        names=("v1", "cl", "nk_v1", "nk_cl"),
        omega=(
            (0.084, 0.023, 0.0, 0.0),
            (0.023, 0.026, 0.0, 0.0),
            (0.0, 0.0, 0.040, 0.044),
            (0.0, 0.0, 0.044, 0.103),
        ),
        source="Otto 2021 Table 3",
    ),
    notes=(
        "Predicts S-ketamine. A racemic dose is simulated whole, assuming R and S share "
        "disposition (Hasan 2021).",
    ),
)
