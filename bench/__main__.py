"""`python -m bench [--size tiny|100k|1m|N[,M]] [--seconds S] [--results bench/RESULTS.md]`."""

from __future__ import annotations

import argparse

from bench.run import main

parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
parser.add_argument(
    "--size", default="tiny", help="cases: tiny, 100k, 1m or a number; two sizes a,b add growth"
)
parser.add_argument("--postgres-url", default=None, help="server for the scratch database")
parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
parser.add_argument("--results", default=None, help="write the table (markdown) here")
args = parser.parse_args()
raise SystemExit(
    main(size=args.size, postgres_url=args.postgres_url, results=args.results, seconds=args.seconds)
)
