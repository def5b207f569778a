"""Reference data as a view: `view` keeps units, leaders' posts, users, receptions and campaigns;
`units` gives the unit paths that make a subtree a prefix match."""
