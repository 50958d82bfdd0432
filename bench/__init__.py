"""Benchmarks (not tests): seeded data, a live server, measured requests."""
