from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "准备运行环境：迁移数据库、收集静态文件、首次运行时生成示范市演示数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seed", action="store_true", help="不生成演示数据")

    def handle(self, *args: Any, no_seed: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移。")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("静态文件已收集。")
        if not no_seed:
            call_command("seed", scale="small")
