"""Catalogue search through the HTTP API over 5,000 published items, beside a plain indexed lookup.

Runs on the scratch database of bench/common.py (PostgreSQL by default). It seeds the demo city
there if missing and tops the catalogue up to BENCH_ITEMS (5,000) published items through the
catalogue services, then serves the project with gunicorn on a free loopback port and sends
BENCH_REQUESTS (600) requests per kind from BENCH_CLIENTS (4) client threads:

  search    GET /api/v1/catalog/items?q=…  (Chinese words, colloquial keywords, pinyin, initials)
  baseline  GET /api/v1/catalog/items/{id} (one item by primary key: a plain indexed lookup)

first from one client (latency), then from BENCH_CLIENTS (4) at once (throughput on this 2-core
machine, clients included), and prints requests/s, p50, p95 and max latency for each.
Target: search p95 < 30 ms from one client.
"""

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from bench.common import bench_database_url, prepare_database, print_table

ITEMS = int(os.environ.get("BENCH_ITEMS", "5000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "600"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))  # for the throughput pass; latency is one client
QUERIES = [
    "开饭店",
    "营业执照",
    "yyzz",
    "spjy",
    "shipin",
    "出生",
    "不动产登记",
    "许可",
    "养老保险",
    "dengji",
    "户口迁移",
    "残疾人",
    "卫生许可",
    "gsdj",
    "建设工程规划",
    "高龄津贴",
    "社保卡",
    "食品经营许可",
]
BASES = [  # name, keywords, type
    ("食品经营许可", "开饭店 开餐馆 饭馆 餐饮", "XK"),
    ("公共场所卫生许可", "开宾馆 理发店 美容院", "XK"),
    ("个体工商户设立登记", "开店 营业执照 个体户", "QR"),
    ("企业设立登记", "开公司 营业执照 企业开办", "QR"),
    ("营业执照变更登记", "改名 换法人 营业执照", "QR"),
    ("出生医学证明核发", "出生证 新生儿", "GG"),
    ("城乡居民养老保险参保登记", "养老保险 社保", "GG"),
    ("不动产转移登记", "过户 二手房 房产证", "QR"),
    ("建设工程规划许可", "规划证 建房", "XK"),
    ("户口迁移", "迁户口 落户", "QR"),
    ("残疾人证核发", "残疾证", "GG"),
    ("高龄津贴申领", "老人补贴 高龄补贴", "JF"),
    ("社会保障卡申领", "社保卡 医保卡", "GG"),
    ("道路运输经营许可", "货运 客运 运输证", "XK"),
    ("药品零售企业许可", "开药店 药房", "XK"),
    ("排水许可", "污水排放 排水证", "XK"),
    ("户外广告设施设置审批", "招牌 广告牌", "XK"),
    ("职工退休申请", "退休 养老金", "QR"),
    ("最低生活保障审批", "低保", "JF"),
    ("结婚登记", "领证 结婚证", "QR"),
]


def ensure_catalogue(target: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from tongban.catalog import services
    from tongban.catalog.models import ItemVersion, SearchToken
    from tongban.catalog.tests.factories import DEFAULT_STEPS, standard_material
    from tongban.org.models import Department

    if not Department.objects.exists():
        call_command("seed", verbosity=0)
    have = ItemVersion.objects.filter(status=ItemVersion.PUBLISHED).count()
    if have >= target:
        print(f"目录已有 {have:,} 个已发布事项。")
        if not SearchToken.objects.exists():
            print(f"重建检索词：{services.catalogue_reindex():,} 个版本。")
        _analyze()
        return
    departments = list(Department.objects.order_by("id"))
    started = time.perf_counter()
    with transaction.atomic():
        material = standard_material("居民身份证")
        for index in range(have, target):
            _item_publish(index, departments, material, DEFAULT_STEPS)
            if index % 500 == 499:
                print(f"\r事项 {index + 1:,} / {target:,}", end="", flush=True)
    print(f"\r已补足 {target - have:,} 个事项，用时 {time.perf_counter() - started:.0f} 秒。")
    _analyze()


def _analyze() -> None:
    """Fresh statistics and visibility map, as autovacuum keeps them on a live database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _item_publish(index: int, departments, material, steps) -> None:
    from tongban.catalog import services
    from tongban.catalog.codes import make_implementation_code

    name, keywords, item_type = BASES[index % len(BASES)]
    department = departments[index % len(departments)]
    basic_code = f"B{index:07d}"
    version = services.item_create(
        actor=None,
        department_id=department.pk,
        basic_code=basic_code,
        name=f"{name}（{department.short_name}第{index // len(BASES) + 1}项）",
        keywords=keywords,
        implementation_code=make_implementation_code(
            uscc=department.uscc, region_code=department.region_id, basic_code=basic_code
        ),
        item_type_id=item_type,
        legal_basis="《中华人民共和国行政许可法》",
        result_type="licence",
        result_name=f"{name}结果",
        result_licence_type="BENCH",
        consult_phone="0550-1234567",
    )
    services.version_parts_replace(
        actor=None, version_id=version.pk, steps=steps, materials=[{"standard": material, "order": 1}]
    )
    services.version_publish(actor=None, version_id=version.pk)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, app: str = "tongban.config.wsgi:application") -> subprocess.Popen:
    var = tempfile.mkdtemp(prefix="tongban-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TONGBAN_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            app,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("服务在60秒内没有就绪。")


def measure(paths: list[str], port: int, clients: int) -> tuple[float, list[float]]:
    """Send every path once from `clients` threads; returns (elapsed seconds, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(paths)

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                json.load(response)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def row(label: str, elapsed: float, latencies: list[float]) -> list[str]:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return [
        label,
        f"{len(ordered):,}",
        f"{len(ordered) / elapsed:,.0f}",
        f"{statistics.median(ordered):.1f}",
        f"{p95:.1f}",
        f"{ordered[-1]:.1f}",
    ]


def run() -> None:
    url = bench_database_url()
    prepare_database(url)
    ensure_catalogue(ITEMS)
    from django.db import connection

    from tongban.catalog.models import Item

    ids = list(Item.objects.exclude(current=None).values_list("id", flat=True))
    connection.close()
    rng = random.Random(2026)
    searches = [f"/api/v1/catalog/items?q={urllib.parse.quote(rng.choice(QUERIES))}" for _ in range(REQUESTS)]
    lookups = [f"/api/v1/catalog/items/{rng.choice(ids)}" for _ in range(REQUESTS)]
    port = free_port()
    server = start_server(url, port)
    try:
        measure(searches[:50] + lookups[:50], port, CLIENTS)  # warm the workers
        rows = [
            row("检索 search ?q=（1 客户端）", *measure(searches, port, 1)),
            row("基线 lookup /items/{id}（1 客户端）", *measure(lookups, port, 1)),
            row(f"检索 search ?q=（{CLIENTS} 客户端）", *measure(searches, port, CLIENTS)),
            row(f"基线 lookup /items/{{id}}（{CLIENTS} 客户端）", *measure(lookups, port, CLIENTS)),
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{len(ids):,} 个已发布事项，经 HTTP（gunicorn 2 进程 × 4 线程；客户端与服务同在这台 2 核机器上）：")
    print_table(["请求", "次数", "次/秒", "p50 ms", "p95 ms", "max ms"], rows)
    print("目标：检索 p95 < 30 ms（单客户端延迟）。")
