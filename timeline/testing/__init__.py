"""Synthetic cases and views, for tests and benchmarks."""
