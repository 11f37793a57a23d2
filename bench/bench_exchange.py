"""Registry bulk import: 1,000,000 CSV rows with valid ID numbers into a fresh hosted resource (target < 60 s).

Runs on a scratch PostgreSQL database (BENCH_DATABASE_URL; by default `tongban_bench` on the server
of DATABASE_URL, or postgres://postgres@127.0.0.1:5432/tongban_bench), created and migrated if
missing; the database's name must contain "bench". BENCH_IMPORT_ROWS (1,000,000) rows are written
to a temporary CSV (ID number, name, marriage status, date, integer, decimal, boolean columns), then:

  (a) import      the real import of a batch (tongban.exchange.imports.batch_run: streaming
                  validation with checksums and types, duplicate keys, COPY into staging, one
                  INSERT … ON CONFLICT merge) into a fresh hosted resource
  (b) re-import   the same file again: every key exists, nothing changed (the update path)
  (c) baseline    raw COPY of the same file into an UNLOGGED table with no index and no checks:
                  the floor the import cannot beat on this machine
"""

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from bench.common import bench_database_url, prepare_database, print_table

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
TARGET_SECONDS = 60.0
HEADER = "id_number,name,status,registered_on,children,subsidy,certified\n"
FIELDS = [
    ("id_number", "公民身份号码", "id_number", True),
    ("name", "姓名", "string", True),
    ("status", "婚姻状况", "string", True),
    ("registered_on", "登记日期", "date", False),
    ("children", "子女数", "integer", False),
    ("subsidy", "补贴金额", "decimal", False),
    ("certified", "是否持证", "boolean", False),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
STATUSES = ("已婚", "未婚", "离婚", "丧偶")


def write_csv(path: Path, rows: int) -> None:
    """`rows` distinct valid ID numbers: 1,000 per birth date (sequence 0–499 × two sexes)."""
    from tongban.core.identifiers import make_id_number

    first = dt.date(1950, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        lines = []
        for i in range(rows):
            birth = first + dt.timedelta(days=i // 1000)
            sex = "M" if (i // 500) % 2 else "F"
            id_number = make_id_number("341902", birth, i % 500, sex)
            name = SURNAMES[i % 20] + GIVEN[(i // 20) % 24] + GIVEN[(i // 480) % 24]
            registered = (birth + dt.timedelta(days=9000)).isoformat() if i % 3 else ""
            lines.append(
                f"{id_number},{name},{STATUSES[i % 4]},{registered},{i % 4},"
                f"{i % 1000}.{i % 100:02d},{'是' if i % 2 else '否'}\n"
            )
            if len(lines) == 50_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


def fresh_resource():
    from tongban.exchange.models import DataResource, ResourceField
    from tongban.org.models import Department, Region

    region, _ = Region.objects.get_or_create(code="341900000000", defaults={"name": "示范市", "level": "city"})
    department, _ = Department.objects.get_or_create(
        name="示范市民政局（基准）", region=region, defaults={"short_name": "基准", "uscc": "11341900MB0000001E"}
    )
    DataResource.objects.filter(code="bench_marriage").delete()
    resource = DataResource.objects.create(code="bench_marriage", name="婚姻登记信息（基准）", provider=department)
    ResourceField.objects.bulk_create(
        ResourceField(resource=resource, name=n, label=label, type=t, required=r, order=i)
        for i, (n, label, t, r) in enumerate(FIELDS, start=1)
    )
    return resource


def import_once(resource, path: Path) -> tuple[float, object]:
    from django.core.files import File

    from tongban.exchange import imports
    from tongban.exchange.models import ImportBatch

    started = time.perf_counter()
    batch = ImportBatch(resource=resource, filename=path.name)
    with path.open("rb") as handle:
        batch.file.save(path.name, File(handle), save=False)
    batch.save()
    status = imports.batch_run(batch.pk)
    seconds = time.perf_counter() - started
    batch.refresh_from_db()
    if status != ImportBatch.DONE:
        raise SystemExit(f"导入失败：{batch.error} {batch.rejections[:3]}")
    return seconds, batch


def baseline_copy(path: Path) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_raw")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_import_raw (id_number text, name text, status text, registered_on text, "
            "children text, subsidy text, certified text)"
        )
        with (
            path.open("rb") as handle,
            cursor.copy("COPY bench_import_raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        cursor.execute("DROP TABLE bench_import_raw")
    return time.perf_counter() - started


def run() -> None:
    url = bench_database_url()
    prepare_database(url)
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("该基准测试需要PostgreSQL（COPY）。")
    with tempfile.TemporaryDirectory(prefix="tongban-bench-import-") as scratch:
        settings.MEDIA_ROOT = scratch  # the batch's copy of the file lives and dies here
        path = Path(scratch) / "marriage.csv"
        started = time.perf_counter()
        write_csv(path, ROWS)
        print(
            f"  生成 {ROWS:,} 行CSV（{path.stat().st_size / 2**20:.0f} MB）用时 {time.perf_counter() - started:.1f} 秒",
            flush=True,
        )
        resource = fresh_resource()
        first, batch = import_once(resource, path)
        print(f"  导入：新增 {batch.inserted:,} 条，用时 {first:.1f} 秒", flush=True)
        second, again = import_once(resource, path)
        print(f"  重复导入：新增 {again.inserted:,}、更新 {again.updated:,} 条，用时 {second:.1f} 秒", flush=True)
        floor = baseline_copy(path)
        resource.delete()
    rows = [
        ["导入（新资源，全部新增）", f"{ROWS:,}", f"{first:.1f}", f"{ROWS / first:,.0f}"],
        ["重复导入（全部已存在、无变化）", f"{ROWS:,}", f"{second:.1f}", f"{ROWS / second:,.0f}"],
        ["基线：原样COPY进无索引UNLOGGED表", f"{ROWS:,}", f"{floor:.1f}", f"{ROWS / floor:,.0f}"],
    ]
    print_table(["阶段", "行数", "秒", "行/秒"], rows)
    verdict = "达标" if first < TARGET_SECONDS else "未达标"
    print(f"目标：{ROWS:,} 行 < {TARGET_SECONDS:.0f} 秒 —— {verdict}（导入为基线的 {first / floor:.1f} 倍）。")
