"""Shared by the benchmarks: the scratch database and the printed tables."""

import os
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench"


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return urlunsplit(urlsplit(url)._replace(path="/tongban_bench"))  # same server, scratch database
    print(f"注意：DATABASE_URL（{url or '未设置，即 SQLite'}）不是 PostgreSQL；基准测试改用 {DEFAULT_URL}。")
    return DEFAULT_URL


def prepare_database(url: str) -> None:
    """Create the scratch database if missing; point Django at it and set Django up."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"基准测试会清空审计表：数据库名“{name}”须含“bench”（用 BENCH_DATABASE_URL 指定临时库）。")
    if config["ENGINE"] == "django.db.backends.postgresql":
        import psycopg
        from psycopg import sql

        params = {
            "host": config.get("HOST") or "127.0.0.1",
            "port": config.get("PORT") or 5432,
            "user": config.get("USER") or "postgres",
            "password": config.get("PASSWORD") or None,
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=10, **params) as admin:
                if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    print(f"已创建数据库 {name}")
        except psycopg.OperationalError as exc:
            sys.exit(
                f"连不上 PostgreSQL（{params['host']}:{params['port']}）：{exc}\n"
                "请启动 PostgreSQL，或用 BENCH_DATABASE_URL 另指数据库。"
            )
    else:
        print(f"注意：{url} 不是 PostgreSQL；照样运行，但数字不代表生产环境（SQLite 一次只有一个写者）。")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns padded by display width (a Chinese character takes two); the first and last left-aligned."""
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        cells = [
            c + " " * (w - width(c)) if i in (0, len(r) - 1) else " " * (w - width(c)) + c
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
