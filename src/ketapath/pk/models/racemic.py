"""Published adult racemic-ketamine models (parameters as in opentiva, cross-checked in the notes).

Choices made where the reference notes flag a doubt:

* Domino: the STANPUMP "Domino" set (PMID 7198883, probably Domino 1982 Anesth Analg 61:87).
  Every volume and clearance is linear in weight, as in the source.
* Clements 250 µg/kg: V1 = 1.75 L/kg is unusual for a central volume but reproduces the published
  half-lives (18 and 183 min); kept as published.
* Hijazi: built on 12 intensive-care patients with brain or spinal-cord injury (CL and Vβ higher
  than in volunteers). opentiva's upper age of 18 is almost certainly wrong (the patients were
  probably adults), so adults 18–80 y are taken as the population.
* Kamp 2020: 70-kg standardised values (V 25/56/157 L; CL 84, Q 161/79 L/h). The weight exponent
  was not retrieved; we use the usual allometric 0.75 on clearances (opentiva uses 1.0).
  The published raw-data model's venous delay compartments are not modelled (values not retrieved).

No model here published inter-individual variability; for populations the Herd 2007 between-subject
variability (CL 38.1 %, V1 64 %, V2 51.7 %, Q 19 %; also applied to V3/Q3) is borrowed and says so.
ke0 values are opentiva's, each derived from a time to peak effect of 1 min: none is measured
ketamine effect data (Olofsen 2012 measured t½ke0 ≈ 6 min for analgesia; see ``ke0_per_min``).
"""

from __future__ import annotations

from ketapath.pk.models.base import Disposition, PKModel, diagonal_from_cv, from_rate_constants
from ketapath.pk.models.norketamine import RACEMIC_NORKETAMINE
from ketapath.pk.regimen import Route
from ketapath.pk.routes import RACEMIC_ROUTES, restrict

__all__ = ["CLEMENTS_250", "DOMINO", "HERD_BSV", "HIJAZI", "KAMP_2020"]

HERD_BSV = diagonal_from_cv(
    {"cl": 0.381, "v1": 0.64, "v2": 0.517, "v3": 0.517, "q2": 0.19, "q3": 0.19},
    source="Herd 2007 between-subject variability, borrowed (the model published none)",
)
_KE0_NOTE = "opentiva, solved for a time to peak effect of 1 min (no ketamine effect data)"
_ADULT_WEIGHT = (40.0, 150.0)
_ADULT_AGE = (18.0, 90.0)
_BORROWED = "Variability borrowed from Herd 2007 (none published for this model)."

DOMINO = PKModel(
    key="domino",
    name="Domino",
    citation="Domino EF et al. Anesth Analg 1982;61:87-92 (PMID 7198883); STANPUMP parameter set",
    population="adult surgical patients",
    drug="racemic ketamine",
    disposition=from_rate_constants(0.063, 0.4381, 0.5921, 0.2470, 0.5900, 0.0146),
    ke0_per_min=0.652,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=RACEMIC_ROUTES,
    weight_range_kg=_ADULT_WEIGHT,
    age_range_years=_ADULT_AGE,
    variability=HERD_BSV,
    notes=(_BORROWED, "Population ranges assumed adult; the source states none."),
)

CLEMENTS_250 = PKModel(
    key="clements250",
    name="Clements 250 µg/kg",
    citation="Clements JA, Nimmo WS. Br J Anaesth 1981;53:27 (doi 10.1093/bja/53.1.27)",
    population="adult volunteers, 250 µg/kg IV",
    drug="racemic ketamine",
    disposition=from_rate_constants(1.7522, 0.0109, 0.0186, 0.0137),
    ke0_per_min=5.2,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=RACEMIC_ROUTES,
    weight_range_kg=_ADULT_WEIGHT,
    age_range_years=_ADULT_AGE,
    variability=HERD_BSV,
    notes=(_BORROWED, "V1 1.75 L/kg kept as published (reproduces t½ 18/183 min)."),
)

HIJAZI = PKModel(
    key="hijazi",
    name="Hijazi",
    citation="Hijazi Y et al. Br J Anaesth 2003;90:155 (doi 10.1093/bja/aeg028)",
    population="12 ICU adults with brain or spinal-cord injury",
    drug="racemic ketamine",
    disposition=from_rate_constants(1.08, 0.0333, 0.0088, 0.0030),
    ke0_per_min=4.773,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=restrict(RACEMIC_ROUTES, {Route.IV}),
    weight_range_kg=_ADULT_WEIGHT,
    age_range_years=(18.0, 80.0),
    variability=HERD_BSV,
    notes=(
        _BORROWED,
        "ICU brain-injury population: CL and Vβ above volunteer values.",
        "opentiva's upper age of 18 is not used: the patients were probably adults.",
        "IV only: intensive-care infusions; no absorption data in this population.",
    ),
)

KAMP_2020 = PKModel(
    key="kamp2020",
    name="Kamp 2020 meta-analysis",
    citation="Kamp J et al. Anesthesiology 2020;133:1192 (doi 10.1097/ALN.0000000000003577)",
    population="pooled: 11 healthy-adult, 3 adult-patient and 5 paediatric studies",
    drug="racemic ketamine",
    disposition=Disposition(
        v_l=(25.0, 56.0, 157.0),
        cl_l_per_min=84.0 / 60,
        q_l_per_min=(161.0 / 60, 79.0 / 60),
        cl_exponent=0.75,
    ),
    ke0_per_min=2.791,
    ke0_source=_KE0_NOTE,
    metabolite=RACEMIC_NORKETAMINE,
    routes=RACEMIC_ROUTES,
    weight_range_kg=(10.0, 150.0),
    age_range_years=(1.0, 90.0),
    variability=HERD_BSV,
    notes=(
        _BORROWED,
        "Weight exponent 0.75 on clearances (not retrieved from the paper; opentiva uses 1.0).",
        "The raw-data model's venous delay compartments are not modelled.",
    ),
)
