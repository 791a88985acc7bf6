"""Benchmarks that print figures beside a baseline measured in the same run:
`python -m bench.submit`, `python -m bench.validator`, `python -m bench.planning`."""
