"""Realistic data at scale and the benchmark suite (issue 6): `python -m bench`, `xinfang generate`."""
