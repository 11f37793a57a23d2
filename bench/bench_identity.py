"""Encrypted identity lookups: finding a person by ID number through its blind index, against a primary-key lookup.

Runs on the scratch database (see bench/common.py). BENCH_PERSONS (200,000) persons are loaded into
the population base with SM4-encrypted ID numbers and phones (accounts.bulk, COPY on PostgreSQL),
once: a later run reuses them. Then, in one process and over the same BENCH_LOOKUPS (2,000)
randomly chosen persons:

  (a) baseline   Person.objects.get(pk=…): the fastest lookup there is
  (b) ID number  Person.objects.get(id_number=…): HMAC-SM3 of the value, the unique blind index,
                 and the row decrypted (SM4-GCM) into the model
  (c) phone      Person.objects.filter(phone=…).first(): the same through the phone's index

It prints each one's median and p95 in microseconds, (b)'s ratio to (a), and PostgreSQL's plan for
(b), which must be an index scan: an encrypted column never becomes a sequential scan.
"""

import datetime as dt
import os
import random
import re
import statistics
import time

from bench.common import bench_database_url, prepare_database, print_table

MARK = "基准人口"  # the real name of every benchmark person: how a later run finds them


def run() -> None:
    prepare_database(bench_database_url())
    from django.db import connection

    from tongban.accounts.models import Person

    count = int(os.environ.get("BENCH_PERSONS", "200000"))
    lookups = int(os.environ.get("BENCH_LOOKUPS", "2000"))
    _persons_ensure(count)
    rng = random.Random(7)
    ids = list(Person.objects.filter(real_name=MARK).values_list("id", flat=True))
    sample = list(
        Person.objects.filter(pk__in=rng.sample(ids, min(lookups, len(ids)))).values_list("id", "id_number", "phone")
    )
    rng.shuffle(sample)

    rows = []
    timings = {}
    for label, lookup in (
        ("(a) 主键查询（基线）", lambda row: Person.objects.get(pk=row[0])),
        ("(b) 按身份证号（盲索引）", lambda row: Person.objects.get(id_number=row[1])),
        ("(c) 按手机号（盲索引）", lambda row: Person.objects.filter(phone=row[2]).first()),
    ):
        for row in sample[:50]:  # warm the connection and the plan cache
            lookup(row)
        took = []
        for row in sample:
            started = time.perf_counter()
            found = lookup(row)
            took.append((time.perf_counter() - started) * 1e6)
            assert found.pk == row[0], "the lookup found the wrong person"
        timings[label] = took
        rows.append([label, f"{statistics.median(took):.0f}", f"{_p95(took):.0f}", str(len(took))])
    print_table(["查询", "中位数 µs", "p95 µs", "次数"], rows)
    baseline, by_id = (statistics.median(timings[key]) for key in list(timings)[:2])
    print(f"按身份证号 / 主键 = {by_id / baseline:.2f} 倍（同一次运行；{len(ids):,} 人，号码与手机号均为 SM4 密文）")
    if connection.vendor == "postgresql":
        for label, query in (
            ("身份证号", Person.objects.filter(id_number=sample[0][1])),
            ("手机号", Person.objects.filter(phone=sample[0][2]).order_by("pk")[:1]),
        ):
            plan = _plan(connection, query)
            print(f"按{label}查询的执行计划：{plan}")
            if not re.search(r"Index Scan using accounts_person_(id_number|phone)_index", plan):
                raise SystemExit(f"按{label}查询不再走盲索引")


def _plan(connection, query) -> str:
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return " / ".join(line.strip() for (line,) in cursor.fetchall())


def _persons_ensure(count: int) -> None:
    from django.db import connection

    from tongban.accounts import bulk
    from tongban.accounts.models import Person
    from tongban.core.identifiers import make_id_number

    have = Person.objects.filter(real_name=MARK).count()
    if have >= count:
        print(f"沿用已有的 {have:,} 名基准人口")
        return
    Person.objects.filter(real_name=MARK).delete()
    started = time.perf_counter()

    def rows():
        for n in range(count):
            # 341988: an area code of the demo city's range no other data uses; (birth, sequence) unique.
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=n // 500)
            sex = "M" if n % 2 else "F"
            number = make_id_number("341988", birth, n % 500, sex)
            yield bulk.PersonRow(MARK, number, birth, sex, f"19{n:09d}", None)

    loaded = bulk.person_bulk_create(rows(), batch_size=20_000)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_person")  # as autovacuum would after a load this size
    print(f"载入 {loaded:,} 名基准人口（加密并建盲索引）用时 {seconds:.1f} 秒，{loaded / seconds:,.0f} 行/秒")


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]
