"""Cases at city scale: API submissions, queues over 1,000,000 cases, the clock sweep over 1,000,000 open cases.

Runs on the scratch database of bench/common.py (BENCH_DATABASE_URL; PostgreSQL). It seeds the
demo city there if missing and tops it up to BENCH_OPEN (1,000,000) open cases with the bulk
loader (tongban.cases.bulk, the same synthetic cases as `seed --scale city`, every one open), whose
clocks were last swept BENCH_SWEEP_LAG_DAYS (3) days ago. Then, each part printing its figures
beside a baseline measured in the same run:

  (a) submissions  BENCH_CLIENTS (10) client threads, each logged in as a different citizen
                   (session cookie + CSRF token), POST /api/v1/cases with small PDF materials
                   (BENCH_SUBMISSIONS, 1,000 in all) to gunicorn on a loopback port (2 processes
                   × 4 threads, as `tongban serve`), first embedded (audit sealing and events
                   after each commit, in the request), then configured as in production: a
                   broker (the workers do both) and a shared Redis cache (BENCH_CACHE_URL,
                   sessions read from it); baselines: GET /healthz from the same clients, and
                   the ceiling: the same submissions to a server whose case writes are cut to
                   one upsert (bench/floor_wsgi.py), which no implementation can beat here.
                   Target: ≥ 200 submissions/s, p95 < 200 ms.
  (b) queues       selectors.queues_for + selectors.queue_page (first page, its count included)
                   in-process, for a reviewer of one department and for a city-wide
                   supervisor, BENCH_QUEUE_SAMPLES (40) times each; and the rendered page
                   GET /workbench/cases/?queue=… over HTTP; baseline: a primary-key lookup.
                   Target: p95 < 100 ms.
  (c) sweep        services.case_clock_sweep() over the open cases (with a broker configured,
                   as in production: events go to the outbox for the workers); baseline: one
                   sequential count of the open cases. Target: < 60 s.
  (d) recompute    a year's official schedule is published (the year most open deadlines fall
                   in, with one make-up Saturday added after the open cases' median acceptance
                   day, so most promises move): the background job that rebuilds every open
                   case whose deadlines touch it, from its history (deadlines.py), with a
                   broker configured (the applicants' notices go to the outbox); then the same
                   job again (idempotent: nothing moves), then the year put back as it was
                   (and rebuilt once more, so the scratch database stays as it came); baseline:
                   one sequential read of the same columns of the same cases, and the sweep (c).

BENCH_PARTS (a,b,c,d) picks parts. Where a target is missed, the plans of the queries at fault are
printed (EXPLAIN ANALYZE).
"""

import base64
import json
import os
import random
import signal
import statistics
import threading
import time
import urllib.error
import urllib.request

from bench.bench_catalog import free_port, start_server
from bench.common import bench_database_url, prepare_database, print_table

OPEN = int(os.environ.get("BENCH_OPEN", "1000000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "10"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "1000"))
QUEUE_SAMPLES = int(os.environ.get("BENCH_QUEUE_SAMPLES", "40"))
SWEEP_LAG_DAYS = int(os.environ.get("BENCH_SWEEP_LAG_DAYS", "3"))
PARTS = set(os.environ.get("BENCH_PARTS", "a,b,c,d").split(","))
REDIS = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


# ---------------------------------------------------------------- data


def ensure_data() -> None:
    from django.core.management import call_command

    from tongban.cases.models import Case
    from tongban.org.models import Department

    if not Department.objects.exists():
        print("生成示范市（small）…", flush=True)
        call_command("seed", verbosity=0)
    have = Case.objects.exclude(queue__in=["", "done"]).count()
    if have < OPEN:
        from tongban.cases import bulk
        from tongban.demo.cases import bulk_context, case_bundles

        wanted = OPEN - have
        print(f"批量载入 {wanted:,} 件在办件（计时上次巡检于 {SWEEP_LAG_DAYS} 天前）…", flush=True)
        started = time.perf_counter()
        context = bulk_context(sweep_lag_days=SWEEP_LAG_DAYS)
        bundles = case_bundles(context, count=wanted, open_share=1.0, seed=f"bench:{have}")
        bulk.case_bulk_create(
            bundles,
            progress=lambda n: print(f"\r  {n:,} / {wanted:,}", end="", flush=True),
            defer_indexes=wanted >= 100_000,
        )
        print(f"\n  用时 {time.perf_counter() - started:.0f} 秒", flush=True)
    vacuum()


def vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(tables) if tables else "VACUUM ANALYZE")


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE queue NOT IN ('', 'done')), "
            "count(*) FILTER (WHERE clock IN ('green', 'yellow', 'red')) FROM cases_case"
        )
        total, open_, running = cursor.fetchone()
    return {"total": total, "open": open_, "running": running}


# ---------------------------------------------------------------- sessions for the HTTP clients


def citizens(count: int) -> list:
    """`count` citizens with accounts (registered through the service once, then reused)."""
    from tongban.accounts import services
    from tongban.accounts.models import Person, User

    found = list(User.objects.filter(username__startswith="u", kind=User.CITIZEN, person__isnull=False)[:count])
    if len(found) < count:
        spare = Person.objects.filter(user__isnull=True, birth_date__lt="2000-01-01").order_by("id")[
            : count - len(found)
        ]
        for person in spare:
            found.append(
                services.person_register(
                    real_name=person.real_name, id_number=person.id_number, phone=person.phone, password="Bench#2026x"
                )
            )
    return found


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(3600)
    session.save()
    return session.session_key


class Client:
    """One logged-in user: a session cookie and a CSRF token, as a browser or app holds them."""

    def __init__(self, port: int, session_key: str):
        self.base = f"http://127.0.0.1:{port}"
        self.csrf = "".join(random.Random(session_key).choices("abcdefghijklmnopqrstuvwxyz0123456789", k=32))
        self.cookie = f"sessionid={session_key}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def run_clients(clients: list[Client], work: list, send) -> tuple[float, list[float], list[str]]:
    """Each client takes the next piece of work and sends it; returns elapsed, latencies (ms), errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(work)

    def loop(client: Client) -> None:
        while True:
            with lock:
                if not queue:
                    return
                piece = queue.pop()
            began = time.perf_counter()
            problem = send(client, piece)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] if ordered else float("nan")


def row(label: str, elapsed: float, latencies: list[float], note: str = "") -> list[str]:
    return [
        label,
        f"{len(latencies):,}",
        f"{len(latencies) / elapsed:,.0f}",
        f"{statistics.median(latencies):.1f}",
        f"{quantile(latencies, 0.95):.1f}",
        f"{max(latencies):.0f}",
        note,
    ]


# ---------------------------------------------------------------- (a) submissions


def application_items(limit: int = 40) -> list[dict]:
    """Items a citizen may apply for online, with the materials to send (one small PDF each)."""
    from tongban.catalog.models import Item, ItemVersion

    parents = Item.objects.exclude(parent=None).values("parent_id")
    versions = (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, for_persons=True, by_online=True, online_depth__gte=3)
        .filter(promised_limit_days__lte=20, item__department__region__code__startswith="3419")
        .exclude(item_id__in=parents)
        .prefetch_related("materials")
        .order_by("item_id")[:limit]
    )
    return [
        {
            "item_id": v.item_id,
            "codes": [m.standard_id for m in v.materials.all() if m.required],
        }
        for v in versions
    ]


def backlog_drain() -> None:
    """Do what the workers would have done after a run configured as in production (seal the
    audit entries, deliver the events), so the next embedded server does not start with that
    backlog to work through in its first requests."""
    from tongban.core.audit import audit_seal
    from tongban.core.events import events_dispatch

    audit_seal()
    while events_dispatch():
        pass


def part_a(url: str) -> list[list[str]]:
    from django.db import connection

    backlog_drain()
    items = application_items()
    users = citizens(CLIENTS)
    keys = [session_cookie(user) for user in users]
    connection.close()
    pdf = base64.b64encode(PDF).decode()
    rng = random.Random(2026)
    bodies = []
    for n in range(SUBMISSIONS):
        item = rng.choice(items)
        bodies.append(
            {
                "item_id": item["item_id"],
                "answers": {},
                "channel": "mobile",
                "conditions_confirmed": True,
                "files": [
                    {"standard_code": c, "name": f"材料{n}-{c}.pdf", "content_base64": pdf} for c in item["codes"]
                ],
            }
        )

    def submit(client: Client, body: dict) -> str:
        status, content = client.request("POST", "/api/v1/cases", body)
        return "" if status == 201 else f"{status} {content[:200].decode(errors='replace')}"

    def health(client: Client, _) -> str:
        status, _ = client.request("GET", "/healthz")
        return "" if status == 200 else str(status)

    production = {"TONGBAN_BROKER_URL": "memory://", "TONGBAN_CACHE_URL": REDIS}
    rows = []
    for label, settings, app in (
        ("内嵌（提交后同步封存审计、分发事件）", {}, None),
        ("生产配置（消息队列封存与分发，Redis 缓存会话）", production, None),
        ("上限基线：同一请求，办件写库只剩一条计数", production, "bench.floor_wsgi:application"),
    ):
        os.environ.update(settings)
        port = free_port()
        server = start_server(url, port, app) if app else start_server(url, port)
        try:
            clients = [Client(port, key) for key in keys]
            run_clients(clients, bodies[:40], submit)  # warm the workers and their caches
            if not app:
                rows.append(row(f"基线 GET /healthz（{label[:2]}）", *run_clients(clients, [None] * 2000, health)[:2]))
            elapsed, latencies, errors = run_clients(clients, bodies[40:], submit)
            rows.append(row(f"提交 POST /api/v1/cases（{label}）", elapsed, latencies, f"{len(errors)} 个错误"))
            for error in errors[:3]:
                print(f"  错误：{error}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            for name in settings:
                os.environ.pop(name)
    backlog_drain()
    connection.close()
    return rows


# ---------------------------------------------------------------- (b) queues


def timed(work, samples: int) -> list[float]:
    latencies = []
    for n in range(samples):
        began = time.perf_counter()
        work(n)
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def part_b(url: str) -> list[list[str]]:
    from django.db import connection

    from tongban.accounts.models import User
    from tongban.cases import selectors
    from tongban.cases.models import Case

    rows = []
    rng = random.Random(7)
    last_id = Case.objects.order_by("-id").values_list("id", flat=True).first()
    baseline = timed(lambda n: Case.objects.filter(pk=rng.randrange(1, last_id)).first(), QUEUE_SAMPLES * 2)
    rows.append(["基线 按主键取一件办件", *cells(baseline)])
    actors = [("reviewer", "review", "审核人员（市市场监管局）"), ("supervisor", "overdue", "电子监察（全市）")]
    slow = []
    for username, queue, label in actors:
        pk = User.objects.get(username=username).pk

        def page(n: int, pk=pk, queue=queue) -> None:
            user = User.objects.get(pk=pk)  # a fresh user per request, as a request has
            selectors.queues_for(user)
            found = selectors.queue_page(actor=user, query=selectors.QueueQuery(queue=queue))
            list(found.object_list)
            found.paginator.count  # noqa: B018 - the page shows the total

        latencies = timed(page, QUEUE_SAMPLES)
        rows.append([f"队列 {queue}：{label}（queues_for + queue_page）", *cells(latencies)])
        if quantile(latencies, 0.95) > 100:
            slow.append((username, queue))
    connection.close()
    rows += http_queue_rows(url)
    for username, queue in slow:
        explain(username, queue)
    return rows


def cells(latencies: list[float]) -> list[str]:
    return [
        f"{len(latencies)}",
        f"{statistics.median(latencies):.1f}",
        f"{quantile(latencies, 0.95):.1f}",
        f"{max(latencies):.0f}",
    ]


def http_queue_rows(url: str) -> list[list[str]]:
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from tongban.accounts.models import User

    try:
        path = reverse("caseswork:queue_list")
    except NoReverseMatch:
        return [["（工作台办件页 /workbench/cases/ 尚不存在，跳过）", "", "", "", ""]]
    keys = {name: session_cookie(User.objects.get(username=name)) for name in ("reviewer", "supervisor")}
    connection.close()
    port = free_port()
    os.environ["TONGBAN_BROKER_URL"] = "memory://"
    try:
        server = start_server(url, port)
    except SystemExit as failed:
        os.environ.pop("TONGBAN_BROKER_URL", None)
        return [[f"（工作台页面未能启动：{failed}）", "", "", "", ""]]
    rows = []
    try:
        for name, queue in (("reviewer", "review"), ("supervisor", "overdue")):
            client = Client(port, keys[name])
            status, _ = client.request("GET", f"{path}?queue={queue}")
            if status != 200:
                rows.append([f"页面 {path}?queue={queue}（{name}）返回 {status}", "", "", "", ""])
                continue
            _, latencies, _ = run_clients([client], [queue] * QUEUE_SAMPLES, lambda c, q: page_get(c, path, q))
            rows.append([f"页面 GET {path}?queue={queue}（{name}，HTTP）", *cells(latencies)])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.environ.pop("TONGBAN_BROKER_URL", None)
    return rows


def page_get(client: Client, path: str, queue: str) -> str:
    status, _ = client.request("GET", f"{path}?queue={queue}")
    return "" if status == 200 else str(status)


def explain(username: str, queue: str) -> None:
    """The plans of the queries one queue page runs, slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.accounts.models import User
    from tongban.cases import selectors

    user = User.objects.get(username=username)
    with CaptureQueriesContext(connection) as captured:
        selectors.queues_for(user)
        found = selectors.queue_page(actor=user, query=selectors.QueueQuery(queue=queue))
        list(found.object_list)
        found.paginator.count  # noqa: B018
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    print(f"\n{username} 的 {queue} 队列超出目标；最慢的查询及其执行计划：")
    with connection.cursor() as cursor:
        for query in queries[:3]:
            if "cases_case" not in query["sql"]:
                continue
            print(f"\n-- {float(query['time']) * 1000:.0f} ms: {query['sql'][:400]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("   " + line)


# ---------------------------------------------------------------- (c) the clock sweep


def clocks_as_of_lag() -> int:
    """Put every running clock back to its colour on the day of the last sweep (set-based)."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    reference = timezone.localdate() - dt.timedelta(days=SWEEP_LAG_DAYS)
    colour = "CASE WHEN due_date < %(day)s THEN 'red' WHEN warn_on <= %(day)s THEN 'yellow' ELSE 'green' END"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_case SET clock = {colour} WHERE clock IN ('green', 'yellow', 'red') AND clock <> {colour}",
            {"day": reference},
        )
        return cursor.rowcount


def part_c() -> list[list[str]]:
    from django.db import connection
    from django.test.utils import override_settings

    from tongban.cases import services

    reset = clocks_as_of_lag()
    vacuum("cases_case", "cases_casecorrection", "core_outboxevent")
    before = counts()
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute("SELECT count(*) FROM cases_case WHERE queue NOT IN ('', 'done')")
        cursor.fetchone()
        baseline = time.perf_counter() - began
    with override_settings(TONGBAN_BROKER_URL="memory://"):
        began = time.perf_counter()
        report = services.case_clock_sweep()
        seconds = time.perf_counter() - began
    with connection.cursor() as cursor:  # the scratch database keeps no pending events
        cursor.execute("DELETE FROM core_outboxevent WHERE dispatched_at IS NULL")
    print(
        f"在办件 {before['open']:,} 件（其中计时中 {before['running']:,} 件；共 {before['total']:,} 件），"
        f"巡检前按 {SWEEP_LAG_DAYS} 天前的颜色复位 {reset:,} 件。"
    )
    return [
        ["基线 顺序统计在办件数", f"{baseline:.2f}", ""],
        [
            "case_clock_sweep()",
            f"{seconds:.2f}",
            f"转超期 {report.turned_red:,}，转预警 {report.turned_yellow:,}，"
            f"逾期未补正终止 {report.corrections_expired:,}，容缺逾期撤销 {report.owed_expired:,}",
        ],
    ]


# ---------------------------------------------------------------- (d) rebuilding deadlines


def busiest_year() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(YEAR FROM due_date)::int, count(*) FROM cases_case "
            "WHERE queue NOT IN ('', 'done') AND due_date IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        return cursor.fetchone()[0]


def make_up_saturday(year: int):
    """The first Saturday of `year` on or after the open cases' median acceptance day that is a
    rest day, to be published as a make-up working day."""
    import datetime as dt

    from django.db import connection

    from tongban.core.calendar import is_working_day

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY accepted_on) FROM cases_case "
            "WHERE queue NOT IN ('', 'done') AND accepted_on IS NOT NULL"
        )
        median = cursor.fetchone()[0]
    day = max(median, dt.date(year, 1, 1))
    while day.weekday() != 5 or is_working_day(day):
        day += dt.timedelta(days=1)
    return day if day.year == year else dt.date(year, 12, 25)  # late in the year: any rest day will do


def year_schedule(year: int) -> tuple[str | None, list[str]]:
    """The year as it stands: its source when official (None: provisional) and its lines."""
    from tongban.core.calendar import statutory_holidays
    from tongban.core.models import CalendarDay, CalendarYear

    declared = CalendarYear.objects.filter(year=year).first()
    if declared is None:
        return None, [f"{day},holiday,{name}" for day, name in statutory_holidays(year).items()]
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "name")
    return declared.source, [f"{day},{kind},{name}" for day, kind, name in rows]


def year_put_back(year: int, source: str | None, lines: list[str]) -> None:
    from tongban.core.calendar import calendar_cache_clear
    from tongban.core.calendar_services import calendar_import
    from tongban.core.models import CalendarDay, CalendarYear

    if source is not None:
        calendar_import(lines=lines, source=source)
        return
    CalendarDay.objects.filter(date__year=year).delete()  # provisional again, as it was
    CalendarYear.objects.filter(year=year).delete()
    calendar_cache_clear()


def recompute_timed(year: int):
    """The job as a worker runs it, timed alone (its start would hand it to the broker)."""
    from unittest import mock

    from tongban.cases import deadlines

    with mock.patch.object(deadlines, "_dispatch", lambda job_id: None):
        job = deadlines.deadline_recomputation_start(years=[year])
    began = time.perf_counter()
    job = deadlines.deadline_recomputation_run(job.pk)
    return job, time.perf_counter() - began


def touched_read_seconds(year: int) -> float:
    import datetime as dt

    from django.db import connection

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(
            "SELECT id, accepted_on, promised_days, paused_days, due_date, warn_on, step_due_date, clock "
            "FROM cases_case WHERE queue NOT IN ('', 'done') AND accepted_on <= %s "
            "AND (due_date >= %s OR step_due_date >= %s OR paused_since IS NOT NULL)",
            [last, first, first],
        )
        cursor.fetchall()
        return time.perf_counter() - began


def part_d() -> list[list[str]]:
    from django.db import connection
    from django.test.utils import override_settings

    from tongban.core.calendar_services import calendar_import

    year = busiest_year()
    source, lines = year_schedule(year)
    saturday = make_up_saturday(year)
    print(
        f"公布{year}年安排（{'原为正式' if source else '原为暂行推算'}，另加调休上班 {saturday}），"
        "重算期限涉及该年的在办件：",
        flush=True,
    )
    baseline = touched_read_seconds(year)
    rows = [["基线 顺序读取涉及的在办件", f"{baseline:.2f}", ""]]
    with override_settings(TONGBAN_BROKER_URL="memory://"):  # as in production: the workers send the notices
        calendar_import(lines=[*lines, f"{saturday},workday,基准测试调休"], source="基准测试：公布安排")
        for label in ("公布后重算", "再次重算（幂等）"):
            job, seconds = recompute_timed(year)
            rows.append([label, f"{seconds:.2f}", f"{job.processed:,} 件，承诺办结日期变化 {job.moved:,} 件"])
        year_put_back(year, source, lines)
        job, seconds = recompute_timed(year)
        rows.append(["恢复原安排后重算", f"{seconds:.2f}", f"{job.processed:,} 件，承诺办结日期变化 {job.moved:,} 件"])
    with connection.cursor() as cursor:  # the scratch database keeps no pending events
        cursor.execute("DELETE FROM core_outboxevent WHERE dispatched_at IS NULL")
    return rows


def run() -> None:
    url = bench_database_url()
    prepare_database(url)
    ensure_data()
    numbers = counts()
    print(f"办件 {numbers['total']:,} 件，在办 {numbers['open']:,} 件，计时中 {numbers['running']:,} 件。", flush=True)
    if "a" in PARTS:
        print(
            f"\n(a) 经 API 提交申请：{CLIENTS} 个客户端，{SUBMISSIONS:,} 件，"
            "gunicorn 2 进程 × 4 线程（同一台 2 核机器）",
            flush=True,
        )
        print_table(["请求", "次数", "次/秒", "p50 ms", "p95 ms", "max ms", "说明"], part_a(url))
        print("目标：≥ 200 件/秒，p95 < 200 ms。")
    if "b" in PARTS:
        print(f"\n(b) 工作台队列（办件 {numbers['total']:,} 件）", flush=True)
        print_table(["操作", "次数", "p50 ms", "p95 ms", "max ms"], part_b(url))
        print("目标：p95 < 100 ms。")
    if "c" in PARTS:
        print("\n(c) 计时巡检", flush=True)
        print_table(["操作", "秒", "说明"], part_c())
        print("目标：< 60 秒。")
    if "d" in PARTS:
        print("\n(d) 节假日安排公布后重算在办件期限", flush=True)
        print_table(["操作", "秒", "说明"], part_d())


if __name__ == "__main__":
    run()
