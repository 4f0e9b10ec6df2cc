"""Published paediatric racemic-ketamine models.

* Herd 2007 (Paediatr Anaesth 17:622, PMID 17564643): 54 children in an emergency department,
  1–1.5 mg/kg IV. V1 38.7 L, V2 102 L, CL 90 L/h, Q 215 L/h per 70 kg, allometric; between-subject
  variability V1 64 %, V2 51.7 %, CL 38.1 %, Q 19 %.
* Hornik 2018 (J Clin Pharmacol, doi 10.1002/jcph.1116): 113 children, IM and IV; F(IM) 0.41.
  Only opentiva's values were available. Their CL (38.9 L/h/70 kg) is about half of every other
  estimate and over-predicts observed concentrations about 2.5-fold; the values are kept as the
  only ones retrieved and every simulation with this model carries that warning.

Both ke0 values were solved in opentiva for a 1-min time to peak at about 20 kg; at 70 kg the
peak comes at 1.08–1.10 min. Routes are limited to those studied in children: Hornik IV and
IM; Herd IV, with IM, intranasal, oral and rectal absorption from the paediatric route data.
"""

from __future__ import annotations

from ketapath.pk.models.base import Disposition, PKModel, diagonal_from_cv
from ketapath.pk.models.norketamine import RACEMIC_NORKETAMINE
from ketapath.pk.regimen import Route
from ketapath.pk.routes import PAEDIATRIC_ROUTES, restrict

__all__ = ["HERD_2007", "HORNIK_2018"]

_KE0_NOTE = "opentiva, solved for a 1-min time to peak at about 20 kg (no ketamine effect data)"

HERD_2007 = PKModel(
    key="herd2007",
    name="Herd 2007 (children)",
    citation="Herd DW et al. Paediatr Anaesth 2007;17:622-629 (PMID 17564643)",
    population="54 children in an emergency department, 1–14 y",
    drug="racemic ketamine",
    disposition=Disposition(
        v_l=(38.7, 102.0), cl_l_per_min=90.0 / 60, q_l_per_min=(215.0 / 60,), cl_exponent=0.75
    ),
    ke0_per_min=2.995,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=restrict(
        PAEDIATRIC_ROUTES,
        {Route.IV, Route.IM, Route.INTRANASAL, Route.ORAL, Route.RECTAL},
    ),
    weight_range_kg=(10.8, 74.8),
    age_range_years=(1.0, 14.0),
    variability=diagonal_from_cv(
        {"cl": 0.381, "v1": 0.64, "v2": 0.517, "q2": 0.19}, source="Herd 2007"
    ),
)

HORNIK_2018 = PKModel(
    key="hornik2018",
    name="Hornik 2018 (children)",
    citation="Hornik CP et al. J Clin Pharmacol 2018 (doi 10.1002/jcph.1116, PMID 29677389)",
    population="113 children, IM and IV, 0.02–17.6 y, 2.4–176 kg",
    drug="racemic ketamine",
    disposition=Disposition(
        v_l=(32.8, 152.0), cl_l_per_min=38.9 / 60, q_l_per_min=(54.9 / 60,), cl_exponent=0.75
    ),
    ke0_per_min=4.212,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=restrict(PAEDIATRIC_ROUTES, {Route.IV, Route.IM}),
    weight_range_kg=(2.0, 176.0),
    age_range_years=(0.0, 18.0),
    variability=diagonal_from_cv(
        {"cl": 0.381, "v1": 0.64, "v2": 0.517, "q2": 0.19},
        source="Herd 2007 variability, borrowed (Hornik's was not retrieved)",
    ),
    notes=(
        "Doubtful clearance: 38.9 L/h/70 kg is about half of other estimates (Kamp 79, Herd 90); "
        "predictions may be about 2.5 times too high.",
    ),
)
