"""`python -m bench [--size tiny|100k|1m|N[,M] | --ledgers DB[,DB]] [--seconds S] [--results bench/RESULTS.md]`,
or `python -m bench --only queries --database-url URL [--seconds S]` on an existing store,
or `python -m bench --only crud-peer [--seconds S]`: the write path against the CRUD peer alone."""

from __future__ import annotations

import argparse

from bench.run import crud_peer_only, main, queries_only

parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
parser.add_argument(
    "--size", default="tiny", help="cases: tiny, 100k, 1m or a number; two sizes a,b add growth"
)
parser.add_argument("--postgres-url", default=None, help="server for the scratch database")
parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
parser.add_argument("--results", default=None, help="write the table (markdown) here")
parser.add_argument(
    "--ledgers",
    default=None,
    help="instead of --size: databases made by `xinfang generate` on that server (a,b adds growth), each copied for its run",
)
parser.add_argument("--only", choices=["queries", "crud-peer"], default=None, help="run only the query load")
parser.add_argument(
    "--database-url", default=None, help="with --only queries: an existing store with views built"
)
args = parser.parse_args()
if args.only == "crud-peer":
    raise SystemExit(crud_peer_only(args.postgres_url, args.seconds, args.results))
if args.only == "queries":
    if args.database_url is None:
        parser.error("--only queries needs --database-url (a generated store with views built)")
    raise SystemExit(queries_only(args.database_url, args.seconds))
raise SystemExit(
    main(
        size=args.size,
        postgres_url=args.postgres_url,
        results=args.results,
        seconds=args.seconds,
        ledgers=args.ledgers,
    )
)
