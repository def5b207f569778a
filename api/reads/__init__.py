"""The read side: one function per question a reader asks, shared by the API's routers and the pages.

Each function takes the request (the app's ledger, view database and unit tree, and the request id
an audited read records), the reader, and parameters already parsed; it returns the data as the
API answers it. Routers add parameter parsing and response shapes (JSON, xlsx, files); pages add
forms and templates. Scope checks and masking live here, so both see the same thing.
"""
