import time

from django.core.management.base import BaseCommand

from tongban.cases import services
from tongban.cases.models import Case
from tongban.core.errors import TongbanError


class Command(BaseCommand):
    help = (
        "办件计时：sweep 立即执行一次计时巡检（预警、超期、逾期未补正、容缺逾期）；"
        "recompute 按办理过程和工作日历重新计算在办件的承诺办结日期（如更正节假日安排后）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "recompute"])
        parser.add_argument("--region", default="", help="recompute：只算该区划代码开头的办件，如 341902")

    def handle(self, *args, action: str, region: str, **options):
        started = time.perf_counter()
        if action == "sweep":
            report = services.case_clock_sweep()
            self.stdout.write(
                f"计时巡检完成（{time.perf_counter() - started:.1f} 秒）：转为超期 {report.turned_red} 件，"
                f"转为预警 {report.turned_yellow} 件，逾期未补正终止 {report.corrections_expired} 件，"
                f"容缺逾期撤销 {report.owed_expired} 件。"
            )
            return
        open_cases = Case.objects.exclude(queue__in=["", "done"]).exclude(accepted_on=None)
        if region:
            open_cases = open_cases.filter(region_code__startswith=region)
        ids = list(open_cases.order_by("id").values_list("pk", flat=True))
        done, failed = 0, 0
        for case_id in ids:  # one transaction each: a long run never holds many rows locked
            try:
                services.case_clock_recompute(case_id=case_id)
            except TongbanError as error:
                failed += 1
                self.stderr.write(f"办件 {case_id}：{error.message}")
            done += 1
            if done % 1000 == 0:
                self.stdout.write(f"\r已重算 {done:,} / {len(ids):,}", ending="")
                self.stdout.flush()
        self.stdout.write(
            f"\r已重算 {done - failed:,} 件在办件的期限（{time.perf_counter() - started:.1f} 秒）"
            + (f"，{failed} 件失败" if failed else "")
            + "。"
        )
