"""The `xinfang generate` and `xinfang bench` commands.

The application never imports the bench (an import contract says so): `register` is found
through the `xinfang.cli` entry point in pyproject.toml and adds these commands to the CLI.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console()


def generate_command(
    cases: Annotated[int | None, typer.Option("--cases", help="how many cases (overrides --size)")] = None,
    size: Annotated[str, typer.Option("--size", help="tiny, 100k or 1m")] = "tiny",
    seed: Annotated[int, typer.Option("--seed", help="same seed, same ledger")] = 1,
) -> None:
    """Append a realistic county ledger (units, leaders, users, N case histories) to an empty store."""
    from api.bootstrap import open_ledger
    from api.settings import Settings
    from bench.generator import SIZES, generate
    from domain.ledger_tree import ledger_head

    if cases is None and size not in SIZES:
        console.print(f"[red]unknown size {size!r}[/] (known: {', '.join(SIZES)})")
        raise typer.Exit(2)
    wanted = cases if cases is not None else SIZES[size]
    if wanted < 1:
        console.print("[red]--cases must be at least 1[/]")
        raise typer.Exit(2)
    settings = Settings()
    # Not build_application: XINFANG_ADMIN_TOKEN would write an admin first, and the generated
    # county starts from an empty ledger (its own gen-admin; serve adds the token's admin later).
    ledger = open_ledger(settings.database_url, schema=settings.database_schema)
    # Reference data is written once: refuse a ledger that already holds events rather than
    # fail half-way on a duplicate unit.
    head = ledger_head(ledger.recorder)
    if head > 0:
        console.print(f"[red]the ledger is not empty[/] ({head} events): generate into a fresh store")
        raise typer.Exit(1)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"generate {wanted} cases", total=wanted)
        made = generate(
            ledger, wanted, seed=seed, progress=lambda done, total: progress.update(task, completed=done)
        )
    console.print(f"{made.cases} cases, {made.events} events; ledger head {made.head}")
    ledger.close()


def bench_command(
    size: Annotated[str, typer.Option("--size", help="tiny, 100k or 1m (or a number of cases)")] = "tiny",
    postgres_url: Annotated[
        str | None, typer.Option("--postgres-url", help="server to create scratch databases on")
    ] = None,
    results: Annotated[
        str | None, typer.Option("--results", help="also write the table here (markdown)")
    ] = None,
    ledgers: Annotated[
        str | None,
        typer.Option(
            "--ledgers",
            help="instead of --size: databases made by `xinfang generate`, each copied for its run",
        ),
    ] = None,
) -> None:
    """Run the benchmark scenarios on fresh scratch stores and print one table."""
    from bench.run import main

    raise typer.Exit(main(size=size, postgres_url=postgres_url, results=results, ledgers=ledgers))


def register(app: typer.Typer) -> None:
    """Add the bench's commands to the `xinfang` CLI (called through the `xinfang.cli` entry point)."""
    app.command("generate")(generate_command)
    app.command("bench")(bench_command)
