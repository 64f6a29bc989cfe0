"""The ``huizong`` command line (INTERFACE.md): run, demo, issues, release."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from huizong import PROJECT_ROOT

app = typer.Typer(add_completion=False, help="汇总 huizong: poverty-alleviation statistics warehouse.", no_args_is_help=True)
console = Console()

DEFAULT_SOURCES = PROJECT_ROOT / "sources"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "huizong.duckdb"
DEFAULT_EXPORTS = PROJECT_ROOT / "exports"


def _print_summary(summary) -> None:
    if summary.skipped:
        console.print(summary.skipped, soft_wrap=True)
    console.print(f"[bold]warehouse[/bold] {summary.warehouse}")
    console.print(f"[bold]exports[/bold]   {summary.exports}")
    console.print("files:  " + ", ".join(f"{k} {v}" for k, v in summary.files.items()))
    console.print("issues: " + (", ".join(f"{k} {v}" for k, v in summary.issues.items()) or "none"))
    console.print("tables: " + (", ".join(f"{k} {v}" for k, v in summary.tables.items()) or "none"))
    if summary.steps:
        console.print("steps:  " + ", ".join(f"{k} {v:.1f} s" for k, v in summary.steps.items()), soft_wrap=True)


@app.command()
def run(
    sources: Path = typer.Option(DEFAULT_SOURCES, help="inbox and reference/ directory"),
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE, help="DuckDB warehouse file"),
    exports: Path = typer.Option(DEFAULT_EXPORTS, help="where official tables are written"),
    workers: int = typer.Option(2, help="reader processes"),
    force: bool = typer.Option(False, help="rebuild even when nothing changed since the last run"),
):
    """The whole nightly job: ingest, dbt models, checks, official tables."""
    from huizong.jobrun import JobFailed, run_job

    try:
        summary = run_job(sources, warehouse, exports, workers, force)
    except JobFailed as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    _print_summary(summary)


@app.command()
def demo(
    workdir: Path = typer.Option(PROJECT_ROOT / "demo", help="where the demo inbox, warehouse and exports go"),
    scale: str = typer.Option("city", help="tiny | city | province"),
    seed: int = typer.Option(7),
):
    """Make a realistic demo inbox (with a few deliberate mistakes) and run the job on it."""
    from huizong.demo.generator import generate
    from huizong.jobrun import JobFailed, run_job

    workdir = workdir.resolve()
    sources = workdir / "sources"
    console.print(f"generating a {scale} demo inbox in {sources} ...")
    generate(sources, scale=scale, seed=seed)
    try:
        summary = run_job(sources, workdir / "huizong.duckdb", workdir / "exports")
    except JobFailed as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    _print_summary(summary)
    console.print("\nwhere to look:")
    console.print(f"  the inbox            {sources / 'inbox'}")
    console.print(f"  the deliberate mistakes {sources / 'truth' / 'injected.csv'}")
    console.print(f"  the warehouse        duckdb -readonly {summary.warehouse}   (schema marts)")
    console.print(f"  the issue list       huizong issues --warehouse {summary.warehouse}")
    console.print(f"  the official tables  {summary.exports}")
    console.print(f"  退回修改通知          {summary.exports / '退回修改通知'}")


@app.command()
def issues(
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE),
    severity: Optional[str] = typer.Option(None, help="error | warning"),
    area: Optional[str] = typer.Option(None, help="an area code: its findings and those below it"),
    period: Optional[str] = typer.Option(None, help="e.g. 2018, 2018H1"),
    limit: int = typer.Option(500, help="at most this many findings"),
):
    """The data-quality findings, grouped by township, with the cell to fix."""
    from huizong.issues_report import load_findings

    try:
        groups = load_findings(warehouse, severity, area, period, limit)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    if not groups:
        console.print("no findings")
        return
    for (unit_code, unit_name), rows in groups.items():
        n_err = sum(r["severity"] == "error" for r in rows)
        console.rule(f"[bold]{unit_name} {unit_code}[/bold]  {len(rows)} findings, {n_err} errors", align="left")
        for r in rows:
            sev = "[red]error  [/red]" if r["severity"] == "error" else "[yellow]warning[/yellow]"
            inds = ",".join(r["indicator_codes"] or [])
            console.print(
                f"{sev} [bold]{r['rule_id']}[/bold]  {r['period'] or ''}  {r['area_name'] or ''} {r['area_code'] or ''}"
                + (f"  [{r['form_code']}]" if r.get("form_code") else "") + (f"  {inds}" if inds else ""),
                highlight=False,
            )
            console.print(f"    {r['message'] or ''}", highlight=False, markup=False)
            seen = ""
            if r["observed"] is not None or r["expected"] is not None:
                seen = f"   seen {_fmt(r['observed'])}, expected {_fmt(r['expected'])}"
            if r["source_file"]:
                where = f"{r['source_file']} › {r['source_sheet'] or ''} › {r['source_cell'] or ''}"
                console.print(f"    [cyan]fix:[/cyan] {where}{seen}", highlight=False)
            elif seen:
                console.print(f"   {seen}", highlight=False)


def _fmt(x) -> str:
    if x is None:
        return ""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


@app.command()
def release(
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE),
    exports: Path = typer.Option(DEFAULT_EXPORTS),
    period: str = typer.Option(...),
    form: str = typer.Option(..., help="FP1 | FP2 | FP3 | FP4 | FPT"),
    area: str = typer.Option(..., help="the publishing area's 12-digit code"),
    reason: str = typer.Option(..., help="why it is published despite its errors"),
    by: Optional[str] = typer.Option(None, help="who releases it (default: the OS user)"),
):
    """Write a withheld table anyway, recording who released it and why."""
    import duckdb

    from huizong.export import release as release_table

    if not warehouse.exists():
        console.print(f"[red]error:[/red] warehouse {warehouse} does not exist")
        raise typer.Exit(2)
    con = duckdb.connect(str(warehouse))
    try:
        paths = release_table(con, exports, period, form, area, reason, by or getpass.getuser())
    except (KeyError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    finally:
        con.close()
    for p in paths or []:
        console.print(f"written {p}")


if __name__ == "__main__":
    app()
