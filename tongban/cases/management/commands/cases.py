import time

from django.core.management.base import BaseCommand

from tongban.cases import deadlines, services


class Command(BaseCommand):
    help = (
        "办件计时：sweep 立即执行一次计时巡检（预警、超期、逾期未补正、容缺逾期）；"
        "recompute 按办理过程和工作日历重新计算在办件的承诺办结日期（如更正节假日安排后）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "recompute"])
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            default=[],
            help="recompute：只算期限涉及该年的办件（可重复）",
        )

    def handle(self, *args, action: str, years: list[int], **options):
        started = time.perf_counter()
        if action == "sweep":
            report = services.case_clock_sweep()
            self.stdout.write(
                f"计时巡检完成（{time.perf_counter() - started:.1f} 秒）：转为超期 {report.turned_red} 件，"
                f"转为预警 {report.turned_yellow} 件，逾期未补正终止 {report.corrections_expired} 件，"
                f"容缺逾期撤销 {report.owed_expired} 件。"
            )
            return
        job = deadlines.deadline_recomputation_start(years=years or deadlines.open_case_years())
        # Run here, in the foreground, whatever the mode: the operator watches the progress.
        done = deadlines.deadline_recomputation_run(
            job.pk, progress=lambda n: self.stdout.write(f"\r已重算 {n:,} / {job.total:,}", ending="")
        )
        self.stdout.write(
            f"\r已重算 {done.processed:,} 件在办件的期限（{'、'.join(map(str, done.years))}年，"
            f"{time.perf_counter() - started:.1f} 秒），承诺办结日期变化 {done.moved:,} 件。"
        )
