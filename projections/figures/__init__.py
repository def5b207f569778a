"""The key figures view (DOMAIN.md R11): `facts` derives a case's facts from its events, `view`
writes them (one row per case), `cells` keeps them pre-aggregated; `measures` says what each figure
counts, `query`, `cells_query` and `sql` read the figures for a period, filters and a reader's scope.
"""
