"""Benchmarks of KetaPath (`make bench`): each reports a ratio against a reference run alongside."""
