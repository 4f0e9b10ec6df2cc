"""The numerical core of the engine.

The state-space system of a model and a regimen, its exact propagation by matrix exponentials,
and an independent ODE reference for tests and benchmarks.
"""
