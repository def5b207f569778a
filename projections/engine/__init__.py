"""The runner machinery every view shares, knowing no view in particular.

`view` is the contract a view follows; `database`, `read_pool` and `sqltypes` its connections and
column types; `feed` reads and decodes the ledger; `positions` says where each view stands;
`runner` feeds the views in batches, exactly once; `rebuild` rebuilds a view beside the live one
and checks for drift; `parallel` runs groups of views in processes of their own (the views are
listed in projections/registry.py); `table_stats` and `gc_pace` keep a long catch-up fast.
"""
