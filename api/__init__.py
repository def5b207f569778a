"""HTTP API, web pages and CLI of xinfang-ledger."""
