"""The ``ledgerlink`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledgerlink.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from ledgerlink.engine.queue import ALL_STATES, ERROR_STATES, Job
from ledgerlink.logs import configure_logging, mask_email

app = typer.Typer(no_args_is_help=True, help="Keep storefronts in sync with Oracle NetSuite, exactly once.")
errors_app = typer.Typer(no_args_is_help=True, help="The error queue: what failed, why, and how to fix it.")
sandbox_app = typer.Typer(
    no_args_is_help=True, help="The built-in emulators of NetSuite, WooCommerce, Magento and commercetools."
)
seed_app = typer.Typer(no_args_is_help=True, help="Fill the sandbox with realistic data.")
fault_app = typer.Typer(no_args_is_help=True, help="Make the running NetSuite emulator fail on purpose.")
app.add_typer(errors_app, name="errors")
app.add_typer(sandbox_app, name="sandbox")
sandbox_app.add_typer(seed_app, name="seed")
sandbox_app.add_typer(fault_app, name="fault")

console = Console()
state: dict[str, Any] = {"config_path": DEFAULT_CONFIG_PATH}

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", envvar="LEDGERLINK_CONFIG", help="configuration file")
]


@app.callback()
def main(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR")] = "WARNING",
    log_json: Annotated[bool, typer.Option(help="log as JSON lines")] = False,
) -> None:
    state["config_path"] = config
    configure_logging(log_level, json=log_json)


def _config() -> Config:
    try:
        return load_config(state["config_path"])
    except ConfigError as error:
        console.print(f"[red]Configuration error:[/red] {error}")
        raise typer.Exit(2) from None


_URL_PASSWORD = re.compile(r"^([\w+.-]+://[^:/@]*:)(.*)@")  # to the last "@": an unencoded one too
_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pwd)=)([^&]*)", re.I)


def _masked_url(url: str) -> str:
    """The database URL as it may be shown: the password (in the URL or its query) as ``***``."""
    if "://" not in url and "@" in url:  # not a URL at all: show nothing before the last "@"
        return "***@" + url.rsplit("@", 1)[1]
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", url))


def _secrets_in(url: str) -> list[str]:
    found = _URL_PASSWORD.match(url)
    return [s for s in [found.group(2) if found else "", *(m[1] for m in _QUERY_PASSWORD.findall(url))] if s]


def _database_reason(url: str, error: BaseException) -> str:
    """Why the database could not be opened, in a few words (the driver's own, when it has some)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(error, NoSuchModuleError):
        scheme = url.split(":", 1)[0]
        return f"unknown scheme or driver {scheme!r}; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
    if isinstance(error, ImportError):
        return f"driver {error.name or error} is not installed; postgresql+psycopg:// uses the one shipped"
    if isinstance(error, ArgumentError):
        return "not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database and database != ":memory:" and not Path(database).parent.exists():
            return f"the directory {Path(database).parent} does not exist"
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror.lower()}: {error.filename}" if error.filename else error.strerror.lower()
    # psycopg: 'connection failed: connection to server at "h", port 1 failed: Connection refused\n...'
    first = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
    reason = re.sub(r"^FATAL:\s*", "", first.rsplit(" failed: ", 1)[-1].strip())
    return reason[:1].lower() + reason[1:] if reason else type(error).__name__


@contextlib.contextmanager
def _opening_database(url: str) -> Iterator[None]:
    """Turn a database that cannot be opened into one line naming ``database_url``, and exit 2."""
    from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

    try:
        yield
    # OSError: SQLite's migration lock is a file beside the database, opened before SQLite itself
    except (
        ArgumentError,
        NoSuchModuleError,
        OperationalError,
        InterfaceError,
        ImportError,
        OSError,
    ) as error:
        reason = _database_reason(url, error)
        for secret in _secrets_in(url):  # a driver may quote part of one it took for a host name
            for part in {secret, *secret.split("@")}:
                if len(part) >= 4:
                    reason = reason.replace(part, "***")
        typer.echo(f"database_url: cannot connect to {_masked_url(url)} ({reason})", err=True)
        raise typer.Exit(2) from None


@contextlib.contextmanager
def _runtime() -> Iterator[Any]:
    from ledgerlink.runtime import Runtime

    config = _config()
    with _opening_database(config.database_url):
        runtime = Runtime(config)
    try:
        yield runtime
    finally:
        if not runtime.closed:  # commands that ran async work closed it on their own loop
            asyncio.run(runtime.aclose())


async def _closing(runtime: Any, work: Any) -> Any:
    """Run async work and close the runtime's HTTP clients on the same event loop."""
    try:
        return await work
    finally:
        await runtime.aclose()


# -- init -----------------------------------------------------------------------------------------


@app.command()
def init(
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="write a config for the built-in sandbox")
    ] = False,
    force: Annotated[bool, typer.Option(help="overwrite an existing file")] = False,
) -> None:
    """Write a configuration file."""
    from ledgerlink.sandbox.init_config import sandbox_config_yaml

    path: Path = state["config_path"]
    if path.exists() and not force:
        console.print(f"{path} exists; use --force to overwrite it")
        raise typer.Exit(1)
    if not sandbox:
        console.print("Only --sandbox is available here; copy docs/ledgerlink.example.yaml for real systems.")
        raise typer.Exit(2)
    path.write_text(sandbox_config_yaml())
    console.print(
        f"Wrote {path}. Next: `ledgerlink sandbox serve` in one terminal, then `ledgerlink sync orders`."
    )


# -- sandbox --------------------------------------------------------------------------------------

StateDir = Annotated[Path, typer.Option(help="where the emulators keep their state")]


@sandbox_app.command("serve")
def sandbox_serve(
    state_dir: StateDir = Path(".sandbox"),
    netsuite_port: int = 8701,
    woo_port: int = 8702,
    magento_port: int = 8703,
    commercetools_port: int = 8704,
    netsuite_latency: Annotated[float, typer.Option(help="seconds added to every NetSuite request")] = 0.0,
    netsuite_concurrency: Annotated[int, typer.Option(help="account concurrency limit")] = 5,
    netsuite_settings: Annotated[
        Path | None,
        typer.Option(
            help="YAML/JSON NetSuite settings: service tier, latency model, faults (overrides both above)"
        ),
    ] = None,
) -> None:
    """Run the NetSuite, WooCommerce, Magento and commercetools emulators on loopback until interrupted."""
    from ledgerlink.sandbox.server import SandboxPlan, serve

    plan = SandboxPlan(
        state_dir,
        netsuite_port=netsuite_port,
        woo_port=woo_port,
        magento_port=magento_port,
        commercetools_port=commercetools_port,
        netsuite_latency=netsuite_latency,
        netsuite_concurrency=netsuite_concurrency,
        netsuite_settings=netsuite_settings,
    )
    console.print(f"NetSuite emulator    {plan.netsuite_url}  (state {plan.netsuite_state})")
    console.print(f"WooCommerce emulator {plan.woo_url}  (state {plan.woo_state})")
    console.print(f"Magento emulator     {plan.magento_url}  (state {plan.magento_state})")
    console.print(f"commercetools        {plan.commercetools_url}  (state {plan.commercetools_state})")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(plan))


@seed_app.command("netsuite")
def seed_netsuite(
    items: Annotated[int, typer.Option(help="inventory items (SKU-0001, SKU-0002, ...)")] = 50,
    customers: Annotated[int, typer.Option(help="customers")] = 20,
    catalog: Annotated[
        bool, typer.Option(help="also matrix items, a kit, an assembly, tax and gift certificate items")
    ] = True,
    state_dir: StateDir = Path(".sandbox"),
) -> None:
    """Build a realistic NetSuite account: two subsidiaries, four currencies, three locations, items with
    price levels and quantity breaks, stock per location, customers."""
    from ledgerlink.sandbox.netsuite.seed import seed_netsuite as seed

    state_dir.mkdir(parents=True, exist_ok=True)
    summary = seed(state_dir / "netsuite.db", items=items, customers=customers, catalog=catalog)
    console.print(f"NetSuite sandbox seeded: {summary}")


@seed_app.command("woocommerce")
def seed_woocommerce(
    orders: Annotated[int, typer.Option(help="orders to create")] = 50,
    products: Annotated[int, typer.Option(help="products SKU-0001.. (match the NetSuite items)")] = 50,
    unknown_skus: Annotated[int, typer.Option(help="orders with a SKU NetSuite lacks")] = 0,
    state_dir: StateDir = Path(".sandbox"),
) -> None:
    """Create products and orders in the WooCommerce emulator."""
    from ledgerlink.sandbox.seeding import seed_store

    state_dir.mkdir(parents=True, exist_ok=True)
    result = seed_store(
        state_dir / "woocommerce.db", orders=orders, products=products, unknown_sku_orders=unknown_skus
    )
    console.print(f"WooCommerce sandbox seeded: {result.orders} orders, {result.products} products")


@seed_app.command("magento")
def seed_magento(
    orders: Annotated[int, typer.Option(help="orders to create")] = 50,
    products: Annotated[int, typer.Option(help="products SKU-0001.. (match the NetSuite items)")] = 50,
    unknown_skus: Annotated[int, typer.Option(help="orders with a SKU NetSuite lacks")] = 0,
    currency: Annotated[str, typer.Option(help="the store view's order currency")] = "EUR",
    state_dir: StateDir = Path(".sandbox"),
) -> None:
    """Create products (simple and configurable) and orders in the Magento emulator."""
    from ledgerlink.sandbox.magento.seed import seed_store

    state_dir.mkdir(parents=True, exist_ok=True)
    result = seed_store(
        state_dir / "magento.db",
        orders=orders,
        products=products,
        unknown_sku_orders=unknown_skus,
        currency=currency,
    )
    console.print(f"Magento sandbox seeded: {result.orders} orders, {result.products} products")


@seed_app.command("commercetools")
def seed_commercetools(
    orders: Annotated[int, typer.Option(help="orders to create")] = 50,
    products: Annotated[int, typer.Option(help="products SKU-0001.. (match the NetSuite items)")] = 50,
    unknown_skus: Annotated[int, typer.Option(help="orders with a SKU NetSuite lacks")] = 0,
    currency: Annotated[str, typer.Option(help="the orders' currency")] = "USD",
    state_dir: StateDir = Path(".sandbox"),
) -> None:
    """Create products, a supply channel, a store and orders in the commercetools emulator."""
    from ledgerlink.sandbox.commercetools.seed import seed_store

    state_dir.mkdir(parents=True, exist_ok=True)
    result = seed_store(
        state_dir / "commercetools.db",
        orders=orders,
        products=products,
        unknown_sku_orders=unknown_skus,
        currency=currency,
    )
    console.print(f"commercetools sandbox seeded: {result.orders} orders, {result.products} products")


NetSuiteUrl = Annotated[str, typer.Option(help="the running NetSuite emulator")]


@fault_app.command("add")
def fault_add(
    kind: Annotated[str, typer.Option(help="status | lost_response | timeout | maintenance")] = "status",
    status: Annotated[
        int, typer.Option(help="HTTP status to answer (0 with lost_response cuts the line)")
    ] = 503,
    method: Annotated[str | None, typer.Option(help="only this HTTP method")] = None,
    path: Annotated[str, typer.Option(help="regular expression searched in the request path")] = "",
    times: Annotated[int, typer.Option(help="how many matching requests it applies to")] = 1,
    duration: Annotated[float | None, typer.Option(help="or: for this many seconds")] = None,
    retry_after: Annotated[
        float | None, typer.Option(help="Retry-After seconds sent with the answer")
    ] = None,
    url: NetSuiteUrl = "http://127.0.0.1:8701",
) -> None:
    """Inject a fault: 429 storms, 5xx, timeouts, a maintenance window, a response lost after the write."""
    from ledgerlink.sandbox.netsuite.faults import Fault, inject

    try:
        fault = Fault.model_validate(
            {
                "kind": kind,
                "status": status,
                "method": method,
                "path": path,
                "times": times,
                "duration_seconds": duration,
                "retry_after": retry_after,
            }
        )
    except ValueError as error:
        console.print(f"[red]not a fault: {error}[/red]")
        raise typer.Exit(2) from None
    _print_faults(inject(url, fault))


@fault_app.command("list")
def fault_list(url: NetSuiteUrl = "http://127.0.0.1:8701") -> None:
    """The faults the running NetSuite emulator will still apply."""
    from ledgerlink.sandbox.netsuite.faults import inject

    _print_faults(inject(url))


@fault_app.command("clear")
def fault_clear(url: NetSuiteUrl = "http://127.0.0.1:8701") -> None:
    """Remove every injected fault."""
    from ledgerlink.sandbox.netsuite.faults import inject

    _print_faults(inject(url, clear=True))


def _print_faults(faults: list[Any]) -> None:
    if not faults:
        console.print("no faults active")
    for fault in faults:
        scope = f"{fault.method or 'any'} {fault.path or '*'}"
        span = f"for {fault.duration_seconds:g} s" if fault.duration_seconds else f"{fault.times} time(s)"
        console.print(f"{fault.kind} {fault.status} on {scope}, {span}")


# -- run and sync ---------------------------------------------------------------------------------


@app.command()
def run(
    role: Annotated[str, typer.Option(help="all, worker, scheduler or console")] = "all",
) -> None:
    """Run the scheduler, workers and webhook receiver until SIGTERM (which drains in-flight work)."""
    from ledgerlink.service import ServiceFailed, run_service
    from ledgerlink.store.db import open_database

    if role not in ("all", "worker", "scheduler", "console"):
        console.print("--role must be all, worker, scheduler or console")
        raise typer.Exit(2)
    config = _config()
    with _opening_database(config.database_url):  # refuse to start on a database that cannot be opened
        open_database(config.database_url).dispose()
    console.print(
        f"Ledgerlink running ({role}); webhooks at {config.console.webhook_base}/webhooks/<connection>"
    )
    try:
        asyncio.run(run_service(config, role=role))
    except ServiceFailed as failed:
        console.print(f"[red]Ledgerlink stopped: {failed}[/red]")
        raise typer.Exit(1) from None


@app.command()
def sync(
    kind: Annotated[str, typer.Argument(help="what to sync: orders")] = "orders",
    record_id: Annotated[str | None, typer.Option("--id", help="sync one record by its store id")] = None,
    flow: Annotated[str | None, typer.Option(help="only this flow (name or source connection)")] = None,
) -> None:
    """Sync now: a delta read since the cursor, or one record with --id."""
    from ledgerlink.operations import sync as run_sync

    if kind != "orders":
        console.print(f"Unknown kind {kind!r}: this release syncs orders")
        raise typer.Exit(2)
    with _runtime() as runtime:
        work = _with_progress(
            runtime, lambda cb: run_sync(runtime, flow=flow or kind, record_id=record_id, on_outcome=cb)
        )
        try:
            stats = asyncio.run(_closing(runtime, work))
        except ValueError as refused:
            console.print(f"[red]{refused}[/red]")
            raise typer.Exit(2) from None
        counts = runtime.queue.counts()
        incidents = runtime.incidents.open_incidents()
        paused = runtime.incidents.paused_counts() if incidents else {}
    console.print(
        f"Done: {stats.done} jobs succeeded, {stats.failed} failed, {stats.retrying} will retry. "
        f"Error queue: {counts['failed'] + counts['dead']} (see `ledgerlink errors list`)."
    )
    for incident in incidents:
        console.print(
            f"[yellow]Paused: {paused.get(incident.connection, 0)} job(s) wait on connection "
            f"{incident.connection} ({incident.code}: {incident.problem.what}). Fix: {incident.problem.fix}"
            "[/yellow]"
        )


async def _with_progress(runtime: Any, start: Any) -> Any:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not sys.stdout.isatty(),
    )
    task = progress.add_task("syncing", total=None)
    finished = 0

    def on_outcome(_job: Job, outcome: str) -> None:
        nonlocal finished
        if outcome in ("done", "failed", "dead"):
            finished += 1
        counts = runtime.queue.counts()
        pending = counts["queued"] + counts["running"] + counts["retrying"] + counts["waiting"]
        progress.update(task, completed=finished, total=finished + pending)

    with progress:
        return await start(on_outcome)


# -- errors ---------------------------------------------------------------------------------------


def _age(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


@errors_app.command("list")
def errors_list(
    code: Annotated[str | None, typer.Option(help="only this problem code")] = None,
    limit: int = 50,
) -> None:
    """Open connection incidents first, then failed and dead-lettered jobs, newest first, with what to do
    about each."""
    with _runtime() as runtime:
        incidents = runtime.incidents.open_incidents()
        paused = runtime.incidents.paused_counts() if incidents else {}
        jobs = runtime.queue.find(states=ERROR_STATES, code=code, limit=limit)
    if incidents:
        _print_incidents(incidents, paused)
    if not jobs:
        console.print("The error queue is empty.")
        return
    table = Table(title=f"Error queue ({len(jobs)} shown)")
    for column in ("job", "state", "flow", "record", "code", "what failed / why", "fix"):
        table.add_column(column, overflow="fold")
    for job in jobs:
        problem = job.problem or {}
        table.add_row(
            str(job.id),
            job.state,
            job.flow,
            job.record_key,
            problem.get("code", ""),
            mask_email(f"{problem.get('what', '')}: {problem.get('why', '')}"),
            problem.get("fix", ""),
        )
    console.print(table)
    console.print(
        "Retry one: `ledgerlink errors retry <job>`; all of a kind: `ledgerlink errors retry --code CODE`"
    )


def _print_incidents(incidents: list[Any], paused: dict[str, int]) -> None:
    """One row per connection that is down: its jobs wait, they are not in the error queue."""
    now = datetime.now(UTC).timestamp()
    table = Table(title=f"Connection incidents ({len(incidents)} open): these jobs wait, none failed")
    for column in ("connection", "since", "code", "what / why", "fix", "paused jobs", "next probe"):
        table.add_column(column, overflow="fold")
    for incident in incidents:
        problem = incident.problem
        probe = max(0.0, incident.next_probe_at - now)
        table.add_row(
            incident.connection,
            _age(incident.opened_at),
            incident.code,
            mask_email(f"{problem.what}: {problem.why}"),
            problem.fix,
            str(paused.get(incident.connection, 0)),
            ("due" if probe < 0.5 else f"in {probe:.0f} s") + f" ({incident.probes} failed)",
        )
    console.print(table)
    console.print(
        "Paused jobs resume by themselves once a probe gets an answer; after fixing the configuration, "
        "restart `ledgerlink run`."
    )


@errors_app.command("show")
def errors_show(job_id: int) -> None:
    """Everything about one job: its problem history, payload and attempts."""
    with _runtime() as runtime:
        job = runtime.queue.get(job_id)
        history = runtime.queue.problems_for(job_id) if job else []
    if job is None:
        console.print(f"No job {job_id}")
        raise typer.Exit(1)
    console.print(
        f"[bold]Job {job.id}[/bold] {job.kind} for {job.record_key} — {job.state}, "
        f"attempt {job.attempts} of {job.max_attempts}, created {_age(job.created_at)}"
    )
    if job.problem:
        for key in ("code", "what", "why", "fix", "team"):
            console.print(f"  {key:5}: {mask_email(str(job.problem.get(key, '')))}")
    if history:
        console.print("History:")
        for row in history:
            resolved = f" (resolved {_age(row['resolved_at'])})" if row["resolved_at"] else ""
            console.print(
                f"  {_age(row['created_at'])} attempt {row['attempt']}: {row['code']} — "
                f"{mask_email(row['why'])}{resolved}"
            )
    if job.result:
        console.print(f"Result: {job.result}")


@errors_app.command("retry")
def errors_retry(
    job_ids: Annotated[list[int] | None, typer.Argument(help="job ids")] = None,
    code: Annotated[str | None, typer.Option(help="every failed job with this problem code")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every failed and dead job")] = False,
    now: Annotated[bool, typer.Option("--now/--later", help="work the retried jobs now")] = True,
) -> None:
    """Put failed jobs back in the queue (and, by default, work them now)."""
    from ledgerlink.engine.worker import Worker

    with _runtime() as runtime:
        ids = list(job_ids or [])
        if code or all_:
            ids += [j.id for j in runtime.queue.find(states=ERROR_STATES, code=code, limit=100_000)]
        if not ids:
            console.print("Nothing to retry: name job ids, --code CODE or --all")
            raise typer.Exit(1)
        retried = runtime.queue.retry(ids)
        console.print(f"Retrying {retried} job(s).")
        if now and retried:
            worker: Worker = runtime.worker(role="retry")
            work = _with_progress(runtime, lambda cb: _run_until_idle(worker, cb))
            stats = asyncio.run(_closing(runtime, work))
            console.print(f"Done: {stats.done} succeeded, {stats.failed} failed again.")


async def _run_until_idle(worker: Any, on_outcome: Any) -> Any:
    worker.on_outcome = on_outcome
    return await worker.run(until_idle=True, idle_horizon=10.0)


# -- jobs -----------------------------------------------------------------------------------------


@app.command()
def jobs() -> None:
    """The queue: jobs by lane and state, the oldest due job's age, recent throughput, live workers."""
    with _runtime() as runtime:
        overview = runtime.queue.overview()
        by_kind = runtime.queue.counts_by_kind()
        paused = runtime.incidents.paused_counts()
        down = {incident.connection: incident for incident in runtime.incidents.open_incidents()}
    states = [s for s in ALL_STATES if any(state == s for (_lane, state) in overview.by_lane)] or list(
        ALL_STATES
    )
    table = Table(title="Jobs by lane")
    table.add_column("lane")
    for state_name in states:
        table.add_column(state_name, justify="right")
    for lane in sorted({lane for lane, _state in overview.by_lane}):
        table.add_row(lane, *[str(overview.by_lane.get((lane, s), 0)) for s in states])
    totals = [sum(n for (_lane, state), n in overview.by_lane.items() if state == s) for s in states]
    table.add_row("[bold]all[/bold]", *[str(n) for n in totals])
    console.print(table)
    kinds = Table(title="Jobs by kind")
    kinds.add_column("kind")
    for state_name in states:
        kinds.add_column(state_name, justify="right")
    for kind in sorted({k for k, _ in by_kind}):
        kinds.add_row(kind, *[str(by_kind.get((kind, s), 0)) for s in states])
    console.print(kinds)
    age = "none due" if overview.oldest_runnable_age is None else f"{overview.oldest_runnable_age:.1f} s"
    rates = ", ".join(f"{rate:.2f}/s over {window // 60} min" for window, rate in overview.throughput.items())
    console.print(f"Oldest due job waiting: {age}. Done: {rates}. Live workers: {overview.live_workers}.")
    for connection in sorted(set(paused) | set(down)):
        incident = down.get(connection)
        cause = f"open incident {incident.code} since {_age(incident.opened_at)}" if incident else "closing"
        console.print(
            f"[yellow]Paused on connection {connection}: {paused.get(connection, 0)} waiting job(s), "
            f"{cause} (see `ledgerlink errors list`).[/yellow]"
        )
    if overview.live_workers == 0 and any(
        overview.by_lane.get((lane, "queued"), 0) for lane, _ in overview.by_lane
    ):
        console.print("[yellow]Jobs are queued but no worker is running: start `ledgerlink run`.[/yellow]")


@app.command()
def demo(
    orders: Annotated[int, typer.Option(help="store orders to seed")] = 200,
    directory: Annotated[Path, typer.Option(help="where the demo keeps its state")] = Path(".demo"),
) -> None:
    """Start the sandbox, seed orders, sync them to NetSuite and show the result."""
    from ledgerlink.demo import run_demo

    with contextlib.suppress(KeyboardInterrupt):
        ok = run_demo(console, directory=directory, orders=orders)
    raise typer.Exit(0 if ok else 1)


if __name__ == "__main__":  # pragma: no cover
    app()
