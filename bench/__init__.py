"""Benchmarks: each prints our path and a naive baseline measured in the same run."""
