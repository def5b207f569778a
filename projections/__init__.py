"""Views rebuilt from the ledger: `engine` (the runner machinery) and one package or module per view."""
