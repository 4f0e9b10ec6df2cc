"""Layer 1: the ketamine pharmacokinetic engine. Pure numerics: numpy and scipy only.

Canonical units inside this package: amounts in mg (ketamine base; norketamine as parent-equivalent
mg until reported), volumes in L, time in minutes, rates in mg/min, clearances in L/min,
concentrations in mg/L (= µg/mL). People read ng/mL: the edges multiply by 1000 when they report.

May import: the standard library, numpy, scipy and `ketapath.errors`. No I/O, no clock, no logging
set-up, no other KetaPath package.
"""
