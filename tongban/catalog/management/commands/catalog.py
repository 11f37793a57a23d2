from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.services import catalogue_reindex
from tongban.catalog.spreadsheet import catalogue_export, catalogue_import


class Command(BaseCommand):
    help = (
        "事项清单：export 导出现行事项为 xlsx；import 导入（全部成功才写入，--dry-run 只检查不写入）；"
        "reindex 重建检索词。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import", "reindex"])
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args, action: str, file: Path | None, dry_run: bool, **options):
        if action == "reindex":
            self.stdout.write(f"已重建 {catalogue_reindex()} 个事项版本的检索词。")
            return
        if file is None:
            raise CommandError("请指定 xlsx 文件。")
        if action == "export":
            file.write_bytes(catalogue_export())
            self.stdout.write(f"已导出到 {file}。")
            return
        if not file.exists():
            raise CommandError(f"文件 {file} 不存在。")
        report = catalogue_import(content=file.read_bytes(), actor=None, dry_run=dry_run)
        for sheet, number, reason in report.errors:
            self.stderr.write(f"{sheet} 第{number}行：{reason}" if number else f"{sheet}：{reason}")
        if not report.ok:
            raise CommandError(f"共 {len(report.errors)} 处错误，未导入任何数据。请修改后重新导入。")
        verb = "检查通过，将会" if dry_run else "已"
        self.stdout.write(f"{verb}新增 {report.created} 项、更新 {report.changed} 项，{report.unchanged} 项无变化。")
