"""Views rebuilt from the ledger (case status, caseload, satisfaction, accountability, key figures)."""
