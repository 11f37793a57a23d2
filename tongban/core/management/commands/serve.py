import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "以生产服务器（gunicorn + whitenoise）提供门户、工作台、管理后台和接口文档。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args: Any, port: int, host: str, workers: int, **options: Any) -> None:
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\n{settings.TONGBAN_SITE_NAME} 已启动："))
        for label, path in [
            ("门户", "/"),
            ("工作台", "/workbench/"),
            ("管理后台", "/admin/"),
            ("接口文档", "/api/v1/docs"),
            ("健康检查", "/healthz"),
        ]:
            self.stdout.write(f"  {label:<6} {base}{path}")
        self.stdout.write("\n按 Ctrl+C 停止。\n")
        # Unset, the documents' links name the address served here (on this machine, the demo).
        os.environ.setdefault("TONGBAN_PUBLIC_BASE_URL", base)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        os.execv(
            gunicorn,
            [
                "gunicorn",
                "tongban.config.wsgi:application",
                "--config",
                "python:tongban.config.gunicorn",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
            ],
        )
