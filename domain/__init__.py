"""The petition-case ledger's domain: aggregates, events, rules, clocks and the application."""
