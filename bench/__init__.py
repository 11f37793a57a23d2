"""Benchmarks: `python -m bench` runs every `bench/bench_*.py`; `python -m bench audit` runs one.

Each module has a `run()` that sets up what it needs, prints its figures next to a baseline measured
in the same run, stops by itself and cleans up. Results are also written to bench/results/ (ignored).
"""
