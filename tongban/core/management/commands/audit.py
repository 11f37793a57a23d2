from django.core.management.base import BaseCommand

from tongban.core.audit import audit_seal, audit_verify


class Command(BaseCommand):
    help = "审计链：verify 校验哈希链是否完整（被破坏时退出码为1），seal 将待封存的记录接入哈希链。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"], help="verify：校验；seal：封存待封记录")

    def handle(self, *args, action: str, **options):
        if action == "seal":
            sealed = audit_seal()
            self.stdout.write(f"已封存 {sealed} 条审计记录。")
            return
        report = audit_verify()
        summary = f"已校验 {report.checked} 条已封存的审计记录，{report.unsealed} 条尚待封存。"
        if report.ok:
            self.stdout.write(summary)
            self.stdout.write(self.style.SUCCESS("审计链完整。"))
            return
        entry = f"记录ID {report.broken_id}" if report.broken_id is not None else "记录已不存在"
        self.stderr.write(summary)
        self.stderr.write(f"审计链被破坏：第 {report.broken_seq} 条（{entry}）：{report.reason}")
        self.stderr.write("请勿再改动审计表，保全数据库备份并报告安全管理员。")
        raise SystemExit(1)
