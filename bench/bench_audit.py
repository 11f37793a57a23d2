"""Audit chain under load: state changes/s with and without audit_record, sealer throughput and lag, verify rate.

Runs on a scratch database (BENCH_DATABASE_URL; by default `tongban_bench` on the PostgreSQL server of
DATABASE_URL, or on postgres://postgres@127.0.0.1:5432/tongban_bench), created and migrated if
missing. Its audit tables and the scratch table `bench_state` are emptied first, so the database's
name must contain "bench". BENCH_THREADS (10) writer threads, each on its own connection, run for
BENCH_SECONDS (10) per phase:

  (a) baseline       a small transaction updating one of 10,000 rows of bench_state, no audit
  (b) audit + sealer the same transaction also calling audit_record(); on-commit sealing is off (as
                     with a broker) and ONE sealer thread runs audit_seal() in a loop
  (c) embedded       the same, sealed on commit by the writers themselves (skip-locked)

then the sealer's capacity on a backlog and audit_verify()'s rate over the whole chain.
"""

import contextlib
import json
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import bench_database_url, prepare_database, print_table

ROWS = 10_000
BACKLOG = 20_000
MAX_TX_PER_THREAD = 500_000  # a bound besides the clock
DRAIN_TIMEOUT = 120.0


def reset_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_state (id bigint primary key, status int, updated_at timestamptz)"
        )
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE bench_state, core_auditentry, core_auditchainhead RESTART IDENTITY")
            cursor.execute("INSERT INTO bench_state SELECT g, 0, now() FROM generate_series(1, %s) AS g", [ROWS])
            cursor.execute("ANALYZE bench_state")
        else:
            for table in ("bench_state", "core_auditentry", "core_auditchainhead"):
                cursor.execute(f"DELETE FROM {table}")
            cursor.executemany(
                "INSERT INTO bench_state VALUES (%s, 0, CURRENT_TIMESTAMP)", [(i,) for i in range(1, ROWS + 1)]
            )


@dataclass
class Phase:
    name: str
    transactions: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.transactions / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q * 100) - 1] * 1000

    def summary(self) -> dict:
        return {
            "transactions": self.transactions,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.rate, 1),
            "p50_ms": round(self.quantile(0.50), 2),
            "p95_ms": round(self.quantile(0.95), 2),
            "max_ms": round(max(self.latencies, default=0) * 1000, 2),
            "errors": self.errors[:5],
        }


def writer(*, phase: Phase, audited: bool, start: threading.Barrier, stop: threading.Event, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tongban.core.audit import audit_record

    rng, latencies, done = random.Random(seed), [], 0
    try:
        connection.ensure_connection()
        start.wait()
        while not stop.is_set() and done < MAX_TX_PER_THREAD:
            row = rng.randrange(1, ROWS + 1)
            began = time.perf_counter()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE bench_state SET status = status + 1, updated_at = %s WHERE id = %s",
                        [timezone.now(), row],
                    )
                if audited:
                    audit_record(
                        action="bench.state_change",
                        object_type="bench.state",
                        object_id=str(row),
                        detail={"row": row, "thread": seed, "status": "accepted"},
                        region_code="341902001000",
                    )
            latencies.append(time.perf_counter() - began)
            done += 1
    except Exception as exc:  # a failed writer is reported, not hidden
        phase.errors.append(f"{type(exc).__name__}: {exc}")
        start.abort()
    finally:
        connection.close()
        phase.latencies.extend(latencies)  # list.extend is atomic under the GIL


@dataclass
class Sealer:
    sealed: int = 0
    errors: list[str] = field(default_factory=list)
    drained_at: float | None = None

    def loop(self, *, drain: threading.Event) -> None:
        """Seal in a loop, pausing 2 ms when idle; after `drain` is set, stop at the first empty seal."""
        from django.db import connection

        from tongban.core.audit import audit_seal

        try:
            while True:
                draining = drain.is_set()
                sealed = audit_seal()
                self.sealed += sealed
                if sealed == 0:
                    if draining:
                        self.drained_at = time.perf_counter()
                        return
                    time.sleep(0.002)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()


def run_writers(phase: Phase, *, threads: int, seconds: float, audited: bool) -> float:
    """Run the writers for `seconds`; returns the moment they all stopped (perf_counter)."""
    start, stop = threading.Barrier(threads + 1), threading.Event()
    workers = [
        threading.Thread(
            target=writer,
            kwargs={"phase": phase, "audited": audited, "start": start, "stop": stop, "seed": n},
            name=f"bench-writer-{n}",
            daemon=True,
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a writer failed: it is reported below
        start.wait(timeout=60)
    began = time.perf_counter()
    stop.wait(timeout=seconds)
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
    stopped = time.perf_counter()
    phase.seconds, phase.transactions = stopped - began, len(phase.latencies)
    return stopped


def unsealed_count() -> int:
    from tongban.core.models import AuditEntry

    return AuditEntry.objects.filter(seq__isnull=True).count()


def sealer_capacity(count: int) -> tuple[int, float]:
    """Seal a backlog of `count` committed entries with one audit_seal() call."""
    from django.utils import timezone

    from tongban.core.audit import audit_seal
    from tongban.core.models import AuditEntry

    now = timezone.now()
    # Fixture rows straight into the table: the backlog a stopped sealer would leave behind.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                created_at=now,
                action="bench.backlog",
                object_type="bench.state",
                object_id=str(n),
                detail={"row": n},
                region_code="341902001000",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    began = time.perf_counter()
    sealed = audit_seal()
    return sealed, time.perf_counter() - began


def phase_cells(phase: Phase) -> list[str]:
    return [
        phase.name,
        f"{phase.rate:,.0f}",
        f"{phase.quantile(0.50):.1f}",
        f"{phase.quantile(0.95):.1f}",
        f"{max(phase.latencies, default=0) * 1000:.0f}",
    ]


def run() -> None:
    threads = int(os.environ.get("BENCH_THREADS", "10"))
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    url = bench_database_url()
    prepare_database(url)

    from django.conf import settings
    from django.db import connection, connections
    from django.test.utils import override_settings

    from tongban.core.audit import audit_seal, audit_verify

    reset_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"数据库：{server}（{connection.settings_dict['NAME']}）；{threads} 个写线程，每阶段 {seconds:g} 秒；"
        f"哈希 {settings.TONGBAN_AUDIT_HASH}",
        flush=True,
    )

    # (a) baseline
    baseline = Phase("(a) 无审计")
    run_writers(baseline, threads=threads, seconds=seconds, audited=False)
    print(f"  {baseline.name}: {baseline.rate:,.0f}/s", flush=True)

    # (b) audit_record in each transaction, one sealer thread, no on-commit sealing
    audited = Phase("(b) 审计 + 封存线程")
    sealer, drain = Sealer(), threading.Event()
    with override_settings(TONGBAN_BROKER_URL="bench://no-broker-needed"):
        sealer_thread = threading.Thread(target=sealer.loop, kwargs={"drain": drain}, name="bench-sealer", daemon=True)
        sealer_thread.start()
        stopped = run_writers(audited, threads=threads, seconds=seconds, audited=True)
        lag = unsealed_count()
        drain.set()
        sealer_thread.join(timeout=DRAIN_TIMEOUT)
    drain_seconds = (sealer.drained_at - stopped) if sealer.drained_at else float("nan")
    sealed_during = audited.transactions - lag
    print(f"  {audited.name}: {audited.rate:,.0f}/s; 结束时待封存 {lag} 条", flush=True)

    # sealer capacity on a backlog
    backlog_sealed, backlog_seconds = sealer_capacity(BACKLOG)

    # (c) embedded: each writer seals on commit (skip-locked)
    embedded = Phase("(c) 审计 + 提交后内嵌封存")
    with override_settings(TONGBAN_BROKER_URL=""):
        run_writers(embedded, threads=threads, seconds=seconds, audited=True)
    left_over = unsealed_count()
    began = time.perf_counter()
    left_sealed = audit_seal()
    left_seconds = time.perf_counter() - began
    print(f"  {embedded.name}: {embedded.rate:,.0f}/s; 结束时待封存 {left_over} 条", flush=True)

    # verify the whole chain
    began = time.perf_counter()
    report = audit_verify()
    verify_seconds = time.perf_counter() - began
    connections.close_all()

    overhead_b = (1 - audited.rate / baseline.rate) * 100 if baseline.rate else float("nan")
    overhead_c = (1 - embedded.rate / baseline.rate) * 100 if baseline.rate else float("nan")
    sealed_rate = sealed_during / audited.seconds if audited.seconds else 0.0
    print()
    print_table(
        ["阶段", "事务/秒", "p50 ms", "p95 ms", "max ms", "说明"],
        [
            [*phase_cells(baseline), "基线"],
            [*phase_cells(audited), f"比基线少 {overhead_b:.0f}%"],
            [
                *phase_cells(embedded),
                f"比基线少 {overhead_c:.0f}%；停止时 {left_over} 条未封，补封 {left_seconds * 1000:.0f} ms",
            ],
        ],
    )
    print()
    print_table(
        ["封存与校验", "条/秒", "说明"],
        [
            ["(b) 封存线程，负载中", f"{sealed_rate:,.0f}", f"停止时积压 {lag} 条，{drain_seconds * 1000:.0f} ms 封完"],
            [
                "封存能力，积压",
                f"{backlog_sealed / backlog_seconds:,.0f}",
                f"{backlog_sealed} 条用 {backlog_seconds:.2f} 秒",
            ],
            [
                "audit_verify()",
                f"{report.checked / verify_seconds:,.0f}",
                f"{report.checked} 条用 {verify_seconds:.2f} 秒，"
                + ("链完整" if report.ok else f"被破坏：{report.reason}"),
            ],
        ],
    )
    errors = baseline.errors + audited.errors + embedded.errors + sealer.errors
    for error in errors[:10]:
        print(f"错误：{error}", file=sys.stderr)

    results = {
        "database": server,
        "threads": threads,
        "seconds_per_phase": seconds,
        "hash": settings.TONGBAN_AUDIT_HASH,
        "baseline": baseline.summary(),
        "audit_with_sealer": {
            **audited.summary(),
            "sealed_per_second_under_load": round(sealed_during / audited.seconds, 1) if audited.seconds else 0,
            "unsealed_at_stop": lag,
            "drain_ms": round(drain_seconds * 1000, 1),
        },
        "embedded": {**embedded.summary(), "unsealed_at_stop": left_over, "left_sealed": left_sealed},
        "sealer_capacity": {"entries": backlog_sealed, "seconds": round(backlog_seconds, 3)},
        "verify": {"ok": report.ok, "checked": report.checked, "seconds": round(verify_seconds, 3)},
    }
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"audit-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"结果已写入 {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    if errors or not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    run()
