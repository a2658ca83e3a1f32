"""Three worker processes share one NetSuite account through the database-backed governor.

The NetSuite emulator runs here with a concurrency limit of 5 and 100 ms latency, so the account's
ceiling is 50 requests per second. Each process sends requests as fast as its governor lets it. The
figures: the most requests ever in flight at the emulator after the warm-up, the rate reached as a
share of the ceiling, and the share of requests answered 429 after the warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import create_engine, text

from ledgerlink.config import NetSuiteConnection
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.governor import SharedGovernor
from ledgerlink.engine.problems import ProblemError
from ledgerlink.logs import configure_logging
from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings
from ledgerlink.sandbox.server import free_port
from ledgerlink.store.db import open_database

POSTGRES_URL = os.environ.get(
    "LEDGERLINK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LIMIT = 5
LATENCY = 0.1


def _connection(port: int) -> NetSuiteConnection:
    return NetSuiteConnection(
        type="netsuite",
        account=credentials.NETSUITE_ACCOUNT,
        base_url=f"http://127.0.0.1:{port}",
        consumer_key=credentials.NETSUITE_CONSUMER_KEY,
        consumer_secret=credentials.NETSUITE_CONSUMER_SECRET,
        token_id=credentials.NETSUITE_TOKEN_ID,
        token_secret=credentials.NETSUITE_TOKEN_SECRET,
        concurrency=LIMIT,
    )


def _process(url: str, port: int, seconds: float, warmup: float, results: Any, ready: Any, go: Any) -> None:
    configure_logging("WARNING")

    async def run() -> tuple[int, int, int, int]:
        engine = open_database(url)
        governor = SharedGovernor(engine, "netsuite", ceiling=LIMIT)
        client = NetSuiteClient(_connection(port), governor=governor)
        ready.release()
        await asyncio.to_thread(go.wait)
        start = time.monotonic()
        counts = [0, 0, 0, 0]  # ok, rejected, ok after warm-up, rejected after warm-up

        async def loop() -> None:
            while time.monotonic() - start < seconds:
                warm = time.monotonic() - start >= warmup
                try:
                    await client.get("currency", "1")
                    counts[0] += 1
                    counts[2] += warm
                except ProblemError as error:
                    if error.problem.code != "RATE_LIMITED":
                        raise
                    counts[1] += 1
                    counts[3] += warm

        await asyncio.gather(*(loop() for _ in range(LIMIT * 2)))
        await client.aclose()
        engine.dispose()
        return counts[0], counts[1], counts[2], counts[3]

    results.put(asyncio.run(run()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        schema = f"gov_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: governor benchmark skipped")
        return
    url = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    open_database(url).dispose()
    with tempfile.TemporaryDirectory() as tmp:
        settings = NetSuiteSandboxSettings(concurrency_limit=LIMIT, latency_seconds=LATENCY)
        app = create_app(Path(tmp) / "netsuite.db", settings)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        context = multiprocessing.get_context("spawn")
        results, ready, go = context.Queue(), context.Semaphore(0), context.Event()
        processes = [
            context.Process(target=_process, args=(url, port, args.seconds, args.warmup, results, ready, go))
            for _ in range(args.processes)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            ready.acquire()
        gate = app.state.sandbox.gate
        go.set()
        started = time.monotonic()
        peak_after_warmup = 0
        while any(p.is_alive() for p in processes):
            if time.monotonic() - started >= args.warmup:
                peak_after_warmup = max(peak_after_warmup, gate.in_flight)
            time.sleep(0.005)
        totals = [0, 0, 0, 0]
        for _ in processes:
            for index, value in enumerate(results.get()):
                totals[index] += value
        server.should_exit = True
        thread.join(5)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    measured = args.seconds - args.warmup
    rate = totals[2] / measured
    ceiling = LIMIT / LATENCY
    after = totals[2] + totals[3]
    print(f"processes {args.processes}, account limit {LIMIT}, latency {LATENCY * 1000:.0f} ms, "
          f"ceiling {ceiling:.0f} requests/s, measured over the last {measured:.0f} s")  # fmt: skip
    print(f"most requests in flight after warm-up: {peak_after_warmup} (limit {LIMIT})")
    print(f"rate after warm-up: {rate:.1f} requests/s = {100 * rate / ceiling:.1f}% of the ceiling")
    print(f"answered 429 after warm-up: {totals[3]} of {after} = {100 * totals[3] / max(after, 1):.2f}%")
    print(f"all requests: {totals[0]} succeeded, {totals[1]} rejected")


if __name__ == "__main__":
    main()
