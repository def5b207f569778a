"""`xinfang serve --workers N`: N API processes on one port; views and checkpoints once, here.

One Python process serves one core: under concurrent commands the single-process service spends
its core on HTTP, validation and psycopg while the other idles (bench/RESULTS.md, the write path).
The API processes share nothing that needs to be shared — group commit, the token cache and the
failed-login counter are each process's own, and every write goes through the ledger's table
lock — so uvicorn runs N of them. What must run once per ledger runs in this supervising process
instead: the view runner (its lease would keep all but one idle anyway) and the checkpoint
schedule (N schedules, each on its own clock, would sign up to N times as often as configured).
The workers start with both turned off through their environment, which `create_app` reads as
Settings.
"""

from __future__ import annotations

import os

from api.bootstrap import build_runner
from api.reads.evidence import signing_keys
from api.routers.ledger import checkpoint_schedule
from api.settings import Settings
from domain.application import LedgerApplication

# The settings every worker starts with (their names as Settings reads them from the environment).
WORKER_ENVIRONMENT = {"XINFANG_RUN_VIEWS": "false", "XINFANG_CHECKPOINT_INTERVAL_SECONDS": "0"}


def serve_workers(
    settings: Settings, ledger: LedgerApplication, *, host: str, port: int, workers: int
) -> None:
    """Run until uvicorn's supervisor is stopped (Ctrl-C or SIGTERM); then stop what runs here.
    PostgreSQL only (the caller checks): SQLite takes one writer at a time."""
    import uvicorn

    from api.access_log import log_config

    runner = build_runner(ledger) if settings.run_views else None
    schedule = checkpoint_schedule(ledger, signing_keys(ledger, settings), settings)
    os.environ.update(WORKER_ENVIRONMENT)  # the workers are spawned with this process's environment
    if runner is not None:
        runner.start()
    if schedule is not None:
        schedule.start()
    try:
        uvicorn.run(
            "api.app:create_app", factory=True, workers=workers, host=host, port=port, log_level="info",
            proxy_headers=False,  # the app decides whom to believe (XINFANG_TRUSTED_PROXIES)
            log_config=log_config(),  # no query strings in the server log (api/access_log.py)
        )  # fmt: skip
    finally:
        if schedule is not None:
            schedule.stop()
        if runner is not None:
            runner.stop()
        ledger.close()


__all__ = ["WORKER_ENVIRONMENT", "serve_workers"]
