"""uvicorn's access log without query strings.

uvicorn logs each request's path with its query string, and a query can carry what the ledger
keeps out of plain sight: a search for a petitioner's name or id number (`?q=`), an unmask
purpose. The ledger records who read what in its own audit events; the server log, readable by
anyone with a shell on the host, keeps only the method, the path and the status.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class DropQueryString(logging.Filter):
    """Cut the query string off the path of an access log record (uvicorn's record arguments:
    client address, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with the access handler filtered (given to uvicorn.run,
    so each worker process configures its logging with it too)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query_string"] = {"()": "api.access_log.DropQueryString"}
    config["handlers"]["access"]["filters"] = ["no_query_string"]
    return config
