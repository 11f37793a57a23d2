"""E-licences: issuances and verifications per second, against raw gmalglib SM2 signing in the same run.

An issuance is validation, serial counter, canonical form, SM3, SM2 signature, history, audit, outbox.

Runs on a scratch database (BENCH_DATABASE_URL; by default `tongban_bench` on the server of
DATABASE_URL), migrated if missing. BENCH_LICENCES (2,000) licences are issued one transaction
each through `licence_issue`: embedded (the audit sealed and events dispatched after each commit),
then configured as in production (a broker: the workers seal and dispatch). Then each is verified
as the public page does (`licence_verify_public`: parse the identifier, read the row and its key,
recompute the canonical form and SM3 digest, verify the SM2 signature). The baseline is
gmalglib's `sm2_sign` alone over a canonical form of the same size: the ceiling the issuance
cannot pass on this machine.
"""

import os
import time

from bench.common import bench_database_url, prepare_database, print_table

COUNT = int(os.environ.get("BENCH_LICENCES", "2000"))


def fixtures():
    from tongban.accounts.models import LegalPerson, Person, Post, Staff, User
    from tongban.core.identifiers import make_id_number, make_uscc
    from tongban.licences import services
    from tongban.licences.models import LicenceType
    from tongban.org.models import Department, Region

    region, _ = Region.objects.get_or_create(code="341900000000", defaults={"name": "示范市", "level": "city"})
    department, _ = Department.objects.get_or_create(
        name="示范市市场监督管理局（基准）",
        region=region,
        defaults={"short_name": "基准", "uscc": make_uscc("1", "1", "341900", "MB0000077")},
    )
    import datetime as dt

    representative, _ = Person.objects.get_or_create(
        id_number=make_id_number("341902", dt.date(1980, 1, 1), 7, "M"),
        defaults={"real_name": "基准法人", "birth_date": dt.date(1980, 1, 1), "sex": "M"},
    )
    legal, _ = LegalPerson.objects.get_or_create(
        uscc=make_uscc("9", "1", "341902", "MA0000077"),
        defaults={"name": "示范市基准贸易有限公司", "legal_representative": representative},
    )
    user, created = User.objects.get_or_create(username="bench.licences", defaults={"kind": User.STAFF})
    if created:
        staff = Staff.objects.create(user=user, department=department, scope_region=region, scope_all_departments=True)
        staff.posts.set([Post.objects.get_or_create(code="issue", defaults={"name": "办结"})[0]])
    kind = LicenceType.objects.filter(short_code="BENCHYYZZ").first() or services.licence_type_define(
        actor=None,
        short_code="BENCHYYZZ",
        code=f"{department.uscc}901",
        name="营业执照（基准）",
        defining_department_id=department.pk,
        issuing_department_ids=[department.pk],
        holder_kind="legal",
        fields=[
            {"name": "scope", "label": "经营范围", "type": "text", "required": True},
            {"name": "capital", "label": "注册资本（万元）", "type": "integer", "required": True},
            {"name": "established_on", "label": "成立日期", "type": "date", "required": True},
        ],
        validity_years=None,
    )
    return user, department, legal, kind


def run() -> None:
    prepare_database(bench_database_url())
    import gmalglib
    from django.test import override_settings

    from tongban.licences import seal, selectors, services
    from tongban.licences.models import Licence

    user, department, legal, kind = fixtures()
    data = {"scope": "食品销售；日用百货销售；餐饮服务", "capital": 100, "established_on": "2020-01-02"}
    services.licence_issue(  # warm-up: creates the department's seal key
        actor=user, type_code=kind.code, data=data, issuer_department_id=department.pk, holder_legal_person_id=legal.pk
    )

    def issue_all() -> tuple[float, list[str]]:
        started = time.perf_counter()
        issued = [
            services.licence_issue(
                actor=user,
                type_code=kind.code,
                data=data,
                issuer_department_id=department.pk,
                holder_legal_person_id=legal.pk,
            ).identifier
            for _ in range(COUNT)
        ]
        return time.perf_counter() - started, issued

    issue_seconds, identifiers = issue_all()
    print(f"  颁发 {COUNT:,} 张（内嵌），用时 {issue_seconds:.2f} 秒", flush=True)
    with override_settings(TONGBAN_BROKER_URL="memory://"):  # as in production: workers seal and dispatch
        production_seconds, _ = issue_all()
    print(f"  颁发 {COUNT:,} 张（生产配置），用时 {production_seconds:.2f} 秒", flush=True)
    licence = Licence.objects.get(identifier=identifiers[-1])

    started = time.perf_counter()
    valid = sum(selectors.licence_verify_public(identifier).signature_valid for identifier in identifiers)
    verify_seconds = time.perf_counter() - started
    if valid != COUNT:
        raise SystemExit(f"核验失败：{COUNT - valid} 张签章未通过")

    canonical = seal.licence_canonical(licence)
    private, _ = gmalglib.sm2_generate_keypair()
    started = time.perf_counter()
    for _ in range(COUNT):
        gmalglib.sm2_sign(private, canonical)
    sign_seconds = time.perf_counter() - started

    rows = [
        [
            "颁发，内嵌（校验、编号、规范化、SM3、SM2签名、历史、审计、事件；提交后即封存审计、分发事件）",
            f"{COUNT:,}",
            f"{issue_seconds:.2f}",
            f"{COUNT / issue_seconds:,.0f}",
        ],
        [
            "颁发，生产配置（同上，封存与分发交给后台工作进程）",
            f"{COUNT:,}",
            f"{production_seconds:.2f}",
            f"{COUNT / production_seconds:,.0f}",
        ],
        [
            "核验（解析标识、读库、重算摘要、SM2验签）",
            f"{COUNT:,}",
            f"{verify_seconds:.2f}",
            f"{COUNT / verify_seconds:,.0f}",
        ],
        [
            f"基线：gmalglib sm2_sign（{len(canonical)} 字节）",
            f"{COUNT:,}",
            f"{sign_seconds:.2f}",
            f"{COUNT / sign_seconds:,.0f}",
        ],
    ]
    print_table(["阶段", "张数", "秒", "张/秒"], rows)
