"""`tongban seed` on a database that was never migrated migrates it first, instead of failing on a
missing table (run as an operator would, in a process of its own, on a fresh SQLite file)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def test_seed_on_a_database_never_migrated_migrates_first(tmp_path: Path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "tongban.config.settings"}
    seed = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "seed"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = seed.stdout.readline()
        second = seed.stdout.readline()  # the first step of the build: the migrations are done
    finally:
        seed.kill()
        seed.communicate(timeout=30)
    assert "个迁移未执行，先执行迁移" in first, first
    assert "Traceback" not in second and second.startswith("区划"), second
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
        db.execute("SELECT count(*) FROM org_region")  # the table the old traceback named
