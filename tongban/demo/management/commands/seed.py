import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from tongban.demo.cases import BULK_CASES, DEMO_CASES, cases_build, cases_bulk_build, cases_exist
from tongban.demo.city import DEMO_LOGINS, DEMO_PASSWORD, SCALES, city_build, city_map_plan, departments_load
from tongban.demo.exchange import FOUNDER, exchange_build, exchange_exists, exemption_showcase_build
from tongban.demo.exchange_access import seed_access
from tongban.demo.licences import seed_licences


class Command(BaseCommand):
    help = (
        "生成确定性的示范市演示数据（区划、部门、大厅窗口、事项清单、工作人员、人口、法人、演示账号和近90天的办件）。"
        "已存在时跳过。--scale city 另批量生成百万人口、十万法人、五千个事项和一百万件办件，用于性能测试。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="small", help="small：演示规模（默认）；city：城市规模"
        )

    def handle(self, *args, scale: str, **options):
        self._ticking = False
        self._migrated()
        report = city_build(scale=SCALES[scale], say=self._say, tick=self._tick)
        if report.skipped:
            self.stdout.write("示范市已存在，跳过")
        else:
            self._say(f"示范市演示数据已生成，共用时 {report.seconds:.1f} 秒。")
        self._exchange()
        self._licences()
        self._cases(scale)
        number = exemption_showcase_build()
        if number:
            self._say(
                f"免提交示例：founder 申请“一次性创业补贴”，户口簿取自人口库、营业执照取自电子证照库（办件 {number}）"
            )
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {role}")
        self.stdout.write(f"  {FOUNDER:<11} 创业者（其“一次性创业补贴”申请的户口簿取自人口库、营业执照取自电子证照库）")

    def _migrated(self) -> None:
        """A database that was never migrated (or is behind) is brought up to date first, rather
        than failing on a missing table."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self._say(f"数据库尚有 {len(pending)} 个迁移未执行，先执行迁移（tongban migrate）…")
            call_command("migrate", interactive=False, verbosity=0)

    def _cases(self, scale: str) -> None:
        if not cases_exist():
            started = time.perf_counter()
            count = cases_build(count=DEMO_CASES, say=self._say)
            self._say(f"办件：{count} 件，覆盖全部状态，分布在近90天（{time.perf_counter() - started:.1f} 秒）")
        if scale == "city":
            started = time.perf_counter()
            loaded = cases_bulk_build(count=BULK_CASES, say=self._say, tick=self._tick)
            if loaded:
                self._say(f"批量办件：{loaded:,} 件（{time.perf_counter() - started:.1f} 秒）")

    def _licences(self) -> None:
        started = time.perf_counter()
        report = seed_licences()
        if not report.skipped:
            self._say(
                f"电子证照：{report.types} 类，已签发 {report.licences:,} 本（SM2 签章）"
                f"（{time.perf_counter() - started:.1f} 秒）"
            )

    def _exchange(self) -> None:
        """The data-resource catalogue and registries need the catalogue, people and staff; the
        systems and grants (seed_access, which skips itself when present) need the resources."""
        if not exchange_exists():
            started = time.perf_counter()
            counts = exchange_build(say=self._say)
            self._say(
                f"数据资源目录：{counts['departments']} 个部门的 {counts['resources']} 项资源，"
                f"库表记录 {counts['records']:,} 条，各提供部门的数据管理员账号“部门代码.data”"
                f"（如 ca.data）（{time.perf_counter() - started:.1f} 秒）"
            )
        access = seed_access(departments=departments_load(city_map_plan()))
        if not access.skipped:
            self._say(
                f"共享授权：接入系统 {access.systems} 个、授权 {access.grants} 项、"
                f"待审核申请 {access.pending} 件、已拒绝 {access.refused} 件"
            )

    def _say(self, line: str) -> None:
        if self._ticking:  # end the progress bar's line first
            self.stdout.write("")
            self._ticking = False
        self.stdout.write(line)

    def _tick(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()
        self._ticking = True
