from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core.audit import WITNESS_ASKED, WITNESS_UNAVAILABLE, audit_seal, audit_verify
from tongban.core.audit_checkpoints import audit_checkpoint


class Command(BaseCommand):
    help = (
        "审计链：verify 校验哈希链是否完整（被破坏时退出码为1），seal 将待封存的记录接入哈希链，"
        "checkpoint 封存后签名记录链头检查点（存于数据库之外）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["verify", "seal", "checkpoint"], help="verify：校验；seal：封存；checkpoint：检查点"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seal":
            sealed = audit_seal()
            self.stdout.write(f"已封存 {sealed} 条审计记录。")
            return
        if action == "checkpoint":
            audit_seal()
            checkpoint = audit_checkpoint()
            self.stdout.write(
                f"已记录检查点：第 {checkpoint.seq} 条。" if checkpoint else "链头未变化（或链为空），无需新检查点。"
            )
            return
        report = audit_verify()
        summary = f"已校验 {report.checked} 条已封存的审计记录，{report.unsealed} 条尚待封存。"
        if report.ok:
            self.stdout.write(summary)
            point = report.checkpoint
            self.stdout.write(
                f"与最新检查点（{point.at[:19]}，第 {point.seq} 条）一致。"
                if point
                else "尚无检查点：链尾删除无法发现。"
            )
            if report.witness == WITNESS_ASKED:
                self.stdout.write("已与外部见证方保存的检查点对照。")
            elif report.witness == WITNESS_UNAVAILABLE:
                self.stdout.write(self.style.WARNING("外部见证方暂时无法访问：本次只对照了本地检查点。"))
            self.stdout.write(self.style.SUCCESS("审计链完整。"))
            return
        entry = f"记录ID {report.broken_id}" if report.broken_id is not None else "记录已不存在"
        self.stderr.write(summary)
        self.stderr.write(f"审计链被破坏：第 {report.broken_seq} 条（{entry}）：{report.reason}")
        self.stderr.write("请勿再改动审计表，保全数据库备份并报告安全管理员。")
        raise SystemExit(1)
