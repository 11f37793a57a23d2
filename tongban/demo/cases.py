"""Cases (办件) of 示范市: every state of the workflow, spread over the last 90 days.

`cases_build` (every scale) drives a few hundred cases through the real services — applications
filed online by the named citizens, at the windows by the clerks and in the villages by the
agents, accepted, reviewed, decided, issued, delivered, refused, withdrawn, revoked, sent back for
correction or into a special procedure — and then moves each case's history back to when it
"happened" (tongban.cases.bulk.case_timelines_backdate): the services stamp today, the demo needs
three months of work. Open cases are placed so that some clocks are yellow and some red.

The named log-ins find their work: 王小明 (citizen) has a draft, a case waiting for his correction,
cases in progress, a completed and a delivered one with their files; the clerk's accept and
delivery queues, the reviewer's and the approver's queues (市市场监管局) are never empty.

`cases_bulk_build` (--scale city) adds 1,000,000 synthetic cases with COPY (tongban.cases.bulk):
realistic states, channels and clocks, their key history rows, correction notices, special
procedures and metrics. `case_bundles` is what the benchmarks load too (with every case open).

Deterministic: one random.Random per phase, seeded from 2026 (tongban.demo.city.rng_for); dates
are relative to the day of the build.
"""

import bisect
import datetime as dt
import functools
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import LegalPerson, Person, Staff, User
from tongban.cases import bulk, clock, results, services, workflow
from tongban.cases.bulk import CaseBundle, CaseRow, CorrectionRow, HistoryRow, MetricsRow, SpecialRow, Timeline
from tongban.cases.models import Case
from tongban.catalog.models import Item, ItemVersion
from tongban.core.audit import audit_seal
from tongban.core.calendar import add_working_days, is_working_day, today as calendar_today
from tongban.demo.city import (
    BACK_OFFICE,
    CITY_CODE,
    CITY_PREFIX,
    DEMO_COMPANIES,
    DEMO_USERNAMES,
    NAMED_PERSONS,
    demo_company_uscc,
    named_id_number,
    rng_for,
)
from tongban.demo.licence_fields import holder_of_legal_person, holder_of_person, licence_field_values
from tongban.org.models import Department

Say = Callable[[str], None]

DEMO_CASES = 300  # driven through the services, at every scale
BULK_CASES = 1_000_000  # --scale city, loaded with COPY
BULK_OPEN_SHARE = 0.2  # a city's open cases: a fifth of three months' work
DAYS = 90
MAX_PROMISE = 20
OPENING = dt.time(8, 30)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)

# What each state's case went through, after its submission (the acts of the workflow table).
PATHS = {
    "draft": [],
    "received": [],
    "refused": ["refuse"],
    "correction_pre": ["request_correction"],
    "withdrawn": ["withdraw"],
    "review": ["accept"],
    "review_claimed": ["accept", "claim"],
    "correction_post": ["accept", "request_correction"],
    "special": ["accept", "start_special"],
    "approve": ["accept", "steps"],
    "approved": ["accept", "steps", "decide"],
    "approved_owing": ["accept", "steps", "decide_owing"],
    "not_approved": ["accept", "steps", "decide_no"],
    "completed": ["accept", "steps", "decide", "issue_result"],
    "delivered": ["accept", "steps", "decide", "issue_result", "deliver"],
    "delivered_corrected": [
        "request_correction",
        "answer_correction",
        "accept",
        "steps",
        "decide",
        "issue_result",
        "deliver",
    ],
    "delivered_special": ["accept", "start_special", "end_special", "steps", "decide", "issue_result", "deliver"],
    "revoked": ["accept", "steps", "decide", "issue_result", "deliver", "revoke"],
}
OPEN = {"received", "correction_pre", "review", "review_claimed", "correction_post", "special", "approve", "approved"}
OPEN |= {"approved_owing"}  # its 容缺 material is due within twenty working days of the decision
# The rest of the city's cases: state, weight.
MIX = (
    ("delivered", 30),
    ("delivered_corrected", 4),
    ("delivered_special", 2),
    ("completed", 6),
    ("approved", 4),
    ("approved_owing", 1),
    ("not_approved", 3),
    ("refused", 4),
    ("withdrawn", 3),
    ("revoked", 1),
    ("received", 9),
    ("correction_pre", 2),
    ("review", 11),
    ("review_claimed", 2),
    ("correction_post", 2),
    ("special", 2),
    ("approve", 8),
)
CITIZEN_CASES = (  # state, department key: 王小明's own applications, online
    ("draft", "psb"),
    ("received", "hrss"),
    ("correction_pre", "psb"),
    ("review", "amr"),
    ("completed", "psb"),
    ("delivered", "nhc"),
    ("delivered", "psb"),
    ("withdrawn", "hrss"),
    ("not_approved", "amr"),
)
ENTERPRISE_CASES = (("received", "amr"), ("approve", "amr"), ("delivered", "amr"))
COLOUR_ROLLS = {"green": 0.0, "yellow": 0.7, "red": 0.95}
FIRST_COLOURS = {"review": "red", "approve": "yellow", "approved": "yellow", "review_claimed": "red"}
DEPARTMENT_WEIGHTS = {"amr": 36, "psb": 20, "hrss": 14, "nhc": 10, "cd.amr": 12, "cd.hrss": 8}

OPINIONS = {
    "accept": ("材料齐全，符合法定形式，予以受理。", "经审查，申请材料齐全，予以受理。"),
    "approve_step": ("材料真实有效，符合条件，同意。", "经审核，符合规定条件。", "现场核查情况与申请材料一致。"),
    "decide": ("准予许可。", "经审批，同意办理。"),
    "decide_no": ("经审查，申请人不符合规定条件，不予许可。",),
    "refuse": ("申请事项不属于本机关职权范围",),
    "correction": ("复印件不清晰，请重新提供", "缺少签字或盖章", "证明材料已过有效期"),
    "withdraw": ("申请人因个人原因撤回申请。", "信息填写有误，撤回后重新申请。"),
}


# ---------------------------------------------------------------- working-day time


@dataclass
class WorkingTime:
    """Moments on working days within office hours, counted back from today."""

    today: dt.date
    now: dt.datetime
    days: list[dt.date] = field(default_factory=list)  # working days, oldest first, up to today
    zone: dt.tzinfo = dt.UTC

    @classmethod
    def build(cls, back: int = 200, *, today: dt.date | None = None) -> "WorkingTime":
        """Counted back from `today` (by default the platform's today); `now` is 15:00 of a given
        day, the moment itself when it is today."""
        zone = timezone.get_current_timezone()
        real = calendar_today()
        today = today or real
        now = timezone.now() if today == real else dt.datetime.combine(today, dt.time(15, 0), tzinfo=zone)
        days = [today - dt.timedelta(days=n) for n in range(back, -1, -1)]
        working = [day for day in days if is_working_day(day)]
        return cls(today=today, now=now, days=working, zone=zone)

    @property
    def latest(self) -> dt.datetime:
        return self.now - dt.timedelta(minutes=5)

    def back_within(self, calendar_days: int) -> int:
        """How many working days back the earliest working day of the last `calendar_days` days
        is: 62 or so for 90 days, fewer across a long holiday."""
        since = self.today - dt.timedelta(days=calendar_days - 1)
        return sum(1 for day in self.days if day >= since) - 1

    def at(self, day: dt.date, minutes: int) -> dt.datetime:
        """`day` at 08:30 + `minutes` (local time), never later than now."""
        moment = dt.datetime.combine(day, OPENING, tzinfo=self.zone) + dt.timedelta(minutes=minutes)
        return min(moment, self.latest)

    def office(self, rng: random.Random, day: dt.date) -> dt.datetime:
        return self.at(day, rng.randrange(0, 8 * 60 + 30))


# ---------------------------------------------------------------- the people and items of the city


@dataclass(frozen=True)
class Crew:
    accept: User
    review: User
    approve: User
    issue: User
    deliver: User


@dataclass
class CityCases:
    """Who and what the demo cases need, looked up once."""

    crews: dict[str, Crew]
    clerks: dict[str, list[User]]  # department key -> window clerks of its hall
    agents: list[User]
    citizen: User
    enterprise: User
    company_id: int
    person_ids: list[int]
    versions: dict[str, list[ItemVersion]]  # department key -> versions people apply for
    company_versions: list[ItemVersion]


def _staff_username(key: str, post: str) -> str:
    name = f"{key}.{post}"
    return DEMO_USERNAMES.get(name, name)


def city_cases_context() -> CityCases:
    departments = {key: _department(key) for key in BACK_OFFICE}
    names = [
        _staff_username(key, post)
        for key in BACK_OFFICE
        for post in ("accept", "review", "approve", "issue", "deliver")
    ]
    users = {u.username: u for u in User.objects.filter(username__in=[*names, "citizen", "enterprise"])}
    crews = {
        key: Crew(*(users[_staff_username(key, post)] for post in ("accept", "review", "approve", "issue", "deliver")))
        for key in BACK_OFFICE
    }
    city_clerks = list(User.objects.filter(username__in=["clerk", "city.window2", "city.window3"]).order_by("id"))
    county_clerks = list(User.objects.filter(username__in=["cd.window1", "cd.window2"]).order_by("id"))
    clerks = {key: county_clerks if key.startswith("cd.") else city_clerks for key in BACK_OFFICE}
    agents = list(User.objects.filter(username__startswith="agent.").order_by("username")[:8])
    named = [named_id_number(offset) for offset in range(len(NAMED_PERSONS))]
    persons = Person.objects.filter(region__code__startswith=CITY_PREFIX).exclude(id_number__in=named)
    company = LegalPerson.objects.get(uscc=demo_company_uscc(0))
    return CityCases(
        crews=crews,
        clerks=clerks,
        agents=agents,
        citizen=users["citizen"],
        enterprise=users["enterprise"],
        company_id=company.pk,
        person_ids=list(persons.order_by("id").values_list("id", flat=True)[:3000]),
        versions={key: _versions(department, persons=True) for key, department in departments.items()},
        company_versions=_versions(departments["amr"], persons=False),
    )


def _department(key: str) -> Department:
    from tongban.demo.city import CITY_DEPARTMENTS, COUNTIES, county_department_names

    if "." not in key:
        return Department.objects.get(name=next(name for k, name, _ in CITY_DEPARTMENTS if k == key))
    county_key, _, department_key = key.partition(".")
    county_name = next(name for _, name, k, _ in COUNTIES if k == county_key)
    return Department.objects.get(name=county_department_names(department_key, county_name)[0])


def _versions(department: Department, *, persons: bool) -> list[ItemVersion]:
    """Published leaf items of the department that people (or companies) apply for, with a promise
    of at most MAX_PROMISE working days."""
    parents = Item.objects.exclude(parent=None).values("parent_id")
    found = (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, item__department=department)
        .exclude(item_id__in=parents)
        .filter(promised_limit_days__lte=MAX_PROMISE)
        .filter(**({"for_persons": True} if persons else {"for_legal_persons": True}))
        .prefetch_related("materials", "steps")
        .order_by("item_id")
    )
    return [v for v in found if _held_by_applicant(v, persons=persons)]


def _held_by_applicant(version: ItemVersion, *, persons: bool) -> bool:
    """A person applies only where the e-licence promised is a person's, a company where it is a
    company's (cases refuse the other: the licence would have no holder)."""
    promise = results.result_promise(version=version)
    return promise is None or promise.holder == (results.PERSON if persons else results.LEGAL_PERSON)


# ---------------------------------------------------------------- planning


@dataclass
class Plan:
    state: str
    key: str  # department key
    version: ItemVersion
    channel: str
    filer: User
    person_id: int | None = None
    legal_person_id: int | None = None
    acts: list[str] = field(default_factory=list)
    moments: list[dt.datetime] = field(default_factory=list)  # submit first, then one per history-writing act
    created_at: dt.datetime | None = None


def plans_make(context: CityCases, count: int, wt: WorkingTime) -> list[Plan]:
    rng = rng_for("cases")
    plans = [
        _plan(rng, context, wt, state, key, channel=Case.WEB, filer=context.citizen) for state, key in CITIZEN_CASES
    ]
    plans += [
        _plan(
            rng, context, wt, state, key, channel=Case.WEB, filer=context.enterprise, legal_person_id=context.company_id
        )
        for state, key in ENTERPRISE_CASES
    ]
    states, weights = zip(*MIX, strict=True)
    keys, key_weights = zip(*DEPARTMENT_WEIGHTS.items(), strict=True)
    every_state = iter(states)  # one of each first, then as often as a city sees them
    while len(plans) < count:
        first = next(every_state, None)
        state = first or rng.choices(states, weights)[0]
        key = rng.choices(keys, key_weights)[0]
        if rng.random() < 0.8:
            channel, filer = Case.WINDOW, rng.choice(context.clerks[key])
        else:
            channel, filer = Case.AGENT, rng.choice(context.agents)
        person_id = rng.choice(context.person_ids)
        colour = FIRST_COLOURS.get(first, "")
        plans.append(
            _plan(rng, context, wt, state, key, channel=channel, filer=filer, person_id=person_id, colour=colour)
        )
    return plans


def _plan(rng, context, wt, state, key, *, channel, filer, person_id=None, legal_person_id=None, colour="") -> Plan:
    pool = context.company_versions if legal_person_id else context.versions[key]
    if state in OPEN or state.startswith("correction"):
        pool = [v for v in pool if v.promised_limit_days > 0] or pool  # an instant item does not wait
    version = rng.choice(pool)
    acts = []
    for act in PATHS[state]:
        if act == "steps":
            acts += ["approve_step"] * (len(_handling_steps(version)) - 1)
        else:
            acts.append(act)
    plan = Plan(state, key, version, channel, filer, person_id, legal_person_id, acts)
    _schedule(rng, plan, wt, colour)
    return plan


def _handling_steps(version: ItemVersion) -> list:
    return workflow.handling_steps(version)


def _schedule(rng: random.Random, plan: Plan, wt: WorkingTime, colour: str = "") -> None:
    """When each act happened: ended cases anywhere in the last 90 days; open cases recently, with
    their acceptance placed so that the clock is green, yellow or red in realistic shares."""
    promised = plan.version.promised_limit_days
    acts = [a for a in plan.acts if a != "claim"]
    gaps = [_gap(rng, act, promised) for act in acts]
    if plan.state in OPEN or plan.state == "draft":
        last_back = _open_age(rng, plan.state, promised, gaps, acts, colour)
        start = max(last_back + sum(gaps), 0)
    else:
        earliest = wt.back_within(DAYS)
        start = rng.randint(min(sum(gaps) + 1, earliest), earliest)
    index = len(wt.days) - 1 - start
    submit_day = wt.days[index]
    moments = [_submitted(rng, plan, wt, submit_day)]
    for gap in gaps:
        index = min(index + gap, len(wt.days) - 1)
        moments.append(max(wt.office(rng, wt.days[index]), moments[-1] + dt.timedelta(minutes=rng.randrange(3, 40))))
    plan.moments = [min(m, wt.now - dt.timedelta(minutes=5 * (len(moments) - i))) for i, m in enumerate(moments)]
    plan.created_at = plan.moments[0] - dt.timedelta(minutes=rng.randrange(5, 30))


def _submitted(rng: random.Random, plan: Plan, wt: WorkingTime, day: dt.date) -> dt.datetime:
    if plan.channel == Case.WEB and rng.random() < 0.5:
        return wt.at(day, rng.randrange(10 * 60, 14 * 60))  # online, in the evening
    return wt.office(rng, day)


def _gap(rng: random.Random, act: str, promised: int) -> int:
    """Working days between the previous act and this one."""
    if act in ("accept", "refuse", "withdraw"):
        return rng.choice((0, 0, 1, 1, 2))
    if act == "request_correction":
        return rng.choice((0, 1, 1, 2))
    if act == "answer_correction":
        return rng.randint(1, 6)
    if act in ("approve_step", "decide", "decide_owing", "decide_no"):
        return rng.randint(0, max(1, promised // 3))
    if act == "start_special":
        return rng.randint(0, 2)
    if act == "end_special":
        return rng.randint(2, 5)
    if act == "issue_result":
        return rng.choice((0, 0, 1))
    if act == "deliver":
        return rng.randint(0, 3)
    if act == "revoke":
        return rng.randint(5, 20)
    return 0


def _open_age(rng: random.Random, state: str, promised: int, gaps: list[int], acts: list[str], colour: str) -> int:
    """How many working days ago an open case's last act was; a running clock gets `colour` when
    one is asked for, else green, yellow or red in the shares a city sees."""
    if state in ("received", "draft"):
        return rng.choice((0, 0, 0, 1, 1, 2))
    if state.startswith("correction"):
        return rng.randint(0, 6)  # the notice gives ten working days: none has expired yet
    if state == "special":
        return rng.randint(0, 3)
    # accepted and running: working days since acceptance decide the colour
    roll = COLOUR_ROLLS[colour] if colour in COLOUR_ROLLS else rng.random()
    if roll < 0.62:
        elapsed = rng.randint(0, max(0, math.floor(promised * 0.7) - 1))
    elif roll < 0.82:
        elapsed = rng.randint(max(0, math.ceil(promised * 0.8)), promised)
    else:
        elapsed = rng.randint(promised + 1, promised + 8)
    after = acts.index("accept") + 1 if "accept" in acts else len(acts)
    for index in range(len(gaps) - 1, after - 1, -1):  # the later acts fit in the time since acceptance
        excess = sum(gaps[after:]) - elapsed
        if excess <= 0:
            break
        gaps[index] = max(gaps[index] - excess, 0)
    return max(elapsed - sum(gaps[after:]), 0)


# ---------------------------------------------------------------- driving the services


def _result_data(case: Case, version: ItemVersion) -> dict:
    """What the issuing officer enters for a licence result: the fields the case leaves empty (the
    demo forms carry none of a licence's fields) get plausible values for the holder and the type —
    a business scope that fits the enterprise, an address in the city, a capital, dates, names —
    drawn from a random.Random seeded with the case (tongban.demo.licence_fields)."""
    missing = [field for field in results.result_fields(case=case, version=version) if field.value in (None, "")]
    if not missing:
        return {}
    if case.legal_person_id:
        holder = holder_of_legal_person(
            LegalPerson.objects.select_related("legal_representative").get(pk=case.legal_person_id)
        )
    else:
        holder = holder_of_person(Person.objects.get(pk=case.person_id))
    return licence_field_values(
        rng_for(f"results:{case.pk}"),
        type_code=version.result_licence_type,
        fields=[{"name": field.name, "label": field.label, "type": field.kind} for field in missing],
        holder=holder,
    )


def _case_create(plan: Plan) -> Case:
    """The application as its channel files it: checked paper at the window, scans uploaded by the
    village agent (case_apply: all or nothing), or online by the applicant after confirming the
    conditions (a draft keeps what is there so far)."""
    version = plan.version
    required = [m for m in version.materials.all() if m.required]
    if plan.channel == Case.WINDOW:
        case = services.case_draft_start(
            actor=plan.filer, item_id=version.item_id, person_id=plan.person_id, channel=Case.WINDOW
        )
        for material in case.materials.filter(required=True):
            services.case_material_mark_paper(actor=plan.filer, case_id=case.pk, material_id=material.pk)
        _delivery_choose(plan, case)
        return services.case_submit(actor=plan.filer, case_id=case.pk)
    if plan.channel == Case.AGENT:
        return services.case_apply(
            actor=plan.filer,
            item_id=version.item_id,
            answers={},
            uploads=[services.Upload(m.standard_id, f"{m.display_name[:40]}.pdf", PDF) for m in required],
            person_id=plan.person_id,
            channel=Case.AGENT,
            consent={"method": "sms", "reference": "演示授权短信"},
        )
    case = services.case_draft_start(
        actor=plan.filer, item_id=version.item_id, legal_person_id=plan.legal_person_id, channel=Case.WEB
    )
    services.case_draft_save(
        actor=plan.filer, case_id=case.pk, answers={}, eligibility={"confirmed": True, "confirmed_at": "demo"}
    )
    materials = list(case.materials.filter(required=True).order_by("order"))
    for material in materials[:1] if plan.state == "draft" else materials:
        name = "身份证正反面.pdf" if material.standard_code == "M0001" else f"{material.name[:40]}.pdf"
        services.case_file_add(actor=plan.filer, case_id=case.pk, material_id=material.pk, name=name, content=PDF)
    if plan.state == "draft":
        return case
    _delivery_choose(plan, case)
    return services.case_submit(actor=plan.filer, case_id=case.pk)


DEMO_ADDRESS = "示范市城东区东华街道幸福路8号"


def _delivery_choose(plan: Plan, case: Case) -> None:
    """Each applicant picks one of the ways the item offers, the same on every build."""
    methods = plan.version.delivery_methods
    if methods:
        method = methods[case.pk % len(methods)]
        services.case_delivery_choose(
            actor=plan.filer, case_id=case.pk, method=method, address=DEMO_ADDRESS if method == "mail" else ""
        )


def _act(rng: random.Random, plan: Plan, case: Case, act: str, context: CityCases) -> None:
    crew = context.crews[plan.key]
    front = plan.filer if plan.channel == Case.WINDOW else crew.accept
    case = Case.objects.get(pk=case.pk)
    match act:
        case "accept":
            services.case_accept(actor=front, case_id=case.pk, opinion=rng.choice(OPINIONS["accept"]))
        case "refuse":
            services.case_refuse(
                actor=front,
                case_id=case.pk,
                reason=rng.choice(OPINIONS["refuse"]),
                legal_basis="《中华人民共和国行政许可法》第三十二条",
            )
        case "request_correction":
            officer = front if case.status == Case.RECEIVED else getattr(crew, case.step_post or "review")
            material = case.materials.filter(required=True).order_by("order").last()
            services.case_correction_request(
                actor=officer,
                case_id=case.pk,
                items=[services.CorrectionItem(reason=rng.choice(OPINIONS["correction"]), material_id=material.pk)],
                note="请在期限内补正，逾期未补正的视为放弃申请。",
            )
        case "answer_correction":
            correction = case.corrections.get()
            material_id = correction.items[0]["material_id"]
            if plan.channel != Case.WINDOW:
                services.case_file_add(
                    actor=plan.filer, case_id=case.pk, material_id=material_id, name="补正材料.pdf", content=PDF
                )
            services.case_correction_answer(actor=plan.filer, case_id=case.pk, answer="已按告知补正。")
        case "claim":
            services.case_claim(actor=getattr(crew, case.step_post or "review"), case_id=case.pk)
        case "approve_step":
            services.case_step_approve(
                actor=getattr(crew, case.step_post), case_id=case.pk, opinion=rng.choice(OPINIONS["approve_step"])
            )
        case "start_special":
            services.case_special_start(
                actor=getattr(crew, case.step_post),
                case_id=case.pk,
                kind=rng.choice(("inspection", "expert", "notice")),
                note="依法需要现场核查或评审",
                limit_days=5,
            )
        case "end_special":
            services.case_special_end(actor=getattr(crew, case.step_post), case_id=case.pk, result="符合要求")
        case "decide" | "decide_owing" | "decide_no":
            decision = {"decide": "approved", "decide_owing": "approved_owing", "decide_no": "not_approved"}[act]
            services.case_decide(
                actor=crew.approve,
                case_id=case.pk,
                decision=decision,
                opinion=rng.choice(OPINIONS["decide_no" if decision == "not_approved" else "decide"]),
                owed_material="消防安全检查合格证明" if decision == "approved_owing" else "",
            )
        case "issue_result":
            services.case_result_issue(actor=crew.issue, case_id=case.pk, result_data=_result_data(case, plan.version))
        case "deliver":
            method = case.delivery_choice or rng.choice(("window", "window", "mail", "electronic"))
            services.case_deliver(
                actor=crew.deliver,
                case_id=case.pk,
                method=method,
                carrier="中国邮政EMS" if method == "mail" else "",
                tracking_number=f"1{rng.randrange(10**11, 10**12)}" if method == "mail" else "",
            )
        case "withdraw":
            services.case_withdraw(actor=plan.filer, case_id=case.pk, reason=rng.choice(OPINIONS["withdraw"]))
        case "revoke":
            services.case_revoke(
                actor=crew.approve,
                case_id=case.pk,
                legal_basis="《中华人民共和国行政许可法》第六十九条",
                reason="被许可人以欺骗手段取得行政许可",
            )
        case _:
            raise ValueError(act)


def _timeline(case_id: int, plan: Plan, acts_written: list[str]) -> Timeline:
    """One moment per history row: the submission's, then each act's ("start" shares its acceptance's)."""
    planned = iter(plan.moments)
    moments, last = [], None
    for act in acts_written:
        last = last if act == "start" else next(planned)
        moments.append(last)
    return Timeline(case_id=case_id, created_at=plan.created_at, moments=moments)


@contextmanager
def _side_effects_deferred() -> Iterator[None]:
    """Seal the audit chain once at the end rather than after each of the build's thousands of
    writes, as a broker's periodic task would; the events wait in the outbox for the scheduler of
    `tongban serve` (or the workers), which sends the applicants their notifications."""
    broker = settings.TONGBAN_BROKER_URL
    settings.TONGBAN_BROKER_URL = broker or "demo-seed://deferred"
    try:
        yield
    finally:
        settings.TONGBAN_BROKER_URL = broker
    audit_seal()


def cases_exist() -> bool:
    return Case.objects.filter(region_code__startswith=CITY_PREFIX).exists()


def cases_build(*, count: int = DEMO_CASES, say: Say = print, today: dt.date | None = None) -> int:
    """Drive `count` demo cases through the services and move them back in time, to the 90 days
    before `today` (the platform's today by default); returns how many. One transaction: all of
    them or none."""
    with _side_effects_deferred(), transaction.atomic():
        wt = WorkingTime.build(today=today)
        context = city_cases_context()
        plans = plans_make(context, count, wt)
        rng = rng_for("cases_acts")
        timelines = []
        for plan in plans:
            case = _case_create(plan)
            for act in plan.acts:
                _act(rng, plan, case, act, context)
            written = list(case.history.order_by("id").values_list("act", flat=True))
            timelines.append(_timeline(case.pk, plan, written))
        bulk.case_timelines_backdate(timelines)
    return len(plans)


# ---------------------------------------------------------------- the bulk cases (--scale city)


@dataclass(frozen=True)
class VersionInfo:
    id: int
    item_id: int
    name: str
    department_id: int
    region_code: str
    office_name: str
    office_short: str
    office_uscc: str
    promised: int
    persons: bool
    legal: bool
    steps: tuple[tuple[int, str, str, int], ...]  # handling steps: order, name, post, budget
    result_name: str


@dataclass
class BulkContext:
    versions: list[VersionInfo]
    cum_weights: list[float]
    persons: list[tuple[int, str]]
    legal_persons: list[tuple[int, str, int]]
    clerks: dict[str, list[tuple[int, int, str]]]  # hall region -> (user id, hall id, name)
    agents: list[tuple[int, int, str]]  # (user id, agency point id, name)
    staff: dict[tuple[int, str], tuple[int, str]]  # (department id, post) -> (user id, name)
    wt: WorkingTime
    last_day: dt.date  # the synthetic cases' step dates stay before it
    as_of: dt.date  # the day the clocks' colours were last swept

    def actor(self, version: VersionInfo, post: str, fallback: tuple[int, str]) -> tuple[int | None, str]:
        return self.staff.get((version.department_id, post)) or fallback


def bulk_context(*, sweep_lag_days: int = 1, today: dt.date | None = None) -> BulkContext:
    """The city's published items (popular ones applied for far more often), its population and
    legal persons (the named demo applicants left out), window clerks, agents and back-office staff."""
    rng = rng_for("bulk_cases_items")
    versions = []
    found = (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, item__department__region__code__startswith=CITY_PREFIX)
        .select_related("item__department")
        .prefetch_related("steps")
        .order_by("id")
    )
    for v in found.iterator(chunk_size=2000):
        department = v.item.department
        steps = tuple(
            (s.order, s.name, s.post_code, s.budget_days) for s in v.steps.all() if s.post_code in ("review", "approve")
        ) or ((1, "审批", "approve", max(v.promised_limit_days, 1)),)
        versions.append(
            VersionInfo(
                v.pk,
                v.item_id,
                v.name,
                department.pk,
                department.region_id,
                department.name,
                department.short_name,
                department.uscc,
                v.promised_days,
                v.for_persons,
                v.for_legal_persons,
                steps,
                v.result_name or f"{v.name}审批结果",
            )
        )
    rng.shuffle(versions)
    cum_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(versions))))
    named = [named_id_number(offset) for offset in range(len(NAMED_PERSONS))]
    persons = list(
        Person.objects.filter(region__code__startswith=CITY_PREFIX)
        .exclude(id_number__in=named)
        .order_by("id")
        .values_list("id", "real_name")
    )
    companies = [demo_company_uscc(offset) for offset in range(len(DEMO_COMPANIES))]
    legal_persons = list(
        LegalPerson.objects.filter(region__code__startswith=CITY_PREFIX)
        .exclude(uscc__in=companies)
        .order_by("id")
        .values_list("id", "name", "legal_representative_id")
    )
    clerks: dict[str, list[tuple[int, int, str]]] = {}
    windows = Staff.objects.filter(posts__code="window", hall__isnull=False).order_by("user_id")
    for user_id, hall_id, region, name in windows.values_list(
        "user_id", "hall_id", "hall__region_id", "user__first_name"
    ):
        clerks.setdefault(region, []).append((user_id, hall_id, name))
    agents = list(
        Staff.objects.filter(posts__code="agent", agency_point__isnull=False)
        .order_by("user_id")
        .values_list("user_id", "agency_point_id", "user__first_name")
    )
    staff = {}
    for user_id, department_id, post, name in (
        Staff.objects.filter(department__region__code__startswith=CITY_PREFIX)
        .order_by("user_id")
        .values_list("user_id", "department_id", "posts__code", "user__first_name")
    ):
        staff.setdefault((department_id, post), (user_id, name))
    wt = WorkingTime.build(today=today)
    return BulkContext(
        versions=versions,
        cum_weights=cum_weights,
        persons=persons,
        legal_persons=legal_persons,
        clerks=clerks,
        agents=agents,
        staff=staff,
        wt=wt,
        last_day=dt.date(wt.today.year + 1, 12, 31),
        as_of=wt.today - dt.timedelta(days=sweep_lag_days),
    )


RUNNING = ("review", "approve", "issue", "correction", "special")  # accepted, the clock running or paused
OPEN_MIX = (("received", 12), ("review", 34), ("approve", 20), ("correction", 4), ("special", 2), ("issue", 10))
OPEN_MIX += (("deliver", 18),)
ENDED_MIX = (("delivered", 84), ("not_approved", 3), ("refused", 5), ("withdrawn", 5), ("revoked", 0.3))
FINAL_ACTS = {  # state -> (act, national code, status)
    "approve": ("approve_step", None, Case.HANDLING),
    "correction": ("request_correction", 6, Case.CORRECTION),
    "special": ("start_special", 9, Case.SPECIAL),
    "issue": ("decide", 11, Case.APPROVED),
    "deliver": ("issue_result", None, Case.COMPLETED),
    "delivered": ("deliver", None, Case.DELIVERED),
    "not_approved": ("decide", 13, Case.NOT_APPROVED),
    "refused": ("refuse", 5, Case.REFUSED),
    "withdrawn": ("withdraw", 14, Case.WITHDRAWN),
    "revoked": ("revoke", 15, Case.REVOKED),
}
STATUS_OF = {
    "received": Case.RECEIVED,
    "review": Case.HANDLING,
    "approve": Case.HANDLING,
    "correction": Case.CORRECTION,
    "special": Case.SPECIAL,
    "issue": Case.APPROVED,
    "deliver": Case.COMPLETED,
    **{state: status for state, (_, _, status) in FINAL_ACTS.items() if state not in ("approve",)},
}


@functools.lru_cache(maxsize=100_000)
def _deadlines(accepted_on: dt.date, promised: int, paused: int) -> clock.Deadlines:
    return clock.case_deadlines(accepted_on=accepted_on, promised_days=promised, paused_days=paused)


@functools.lru_cache(maxsize=100_000)
def _plus(day: dt.date, working_days: int) -> dt.date:
    return add_working_days(day, working_days)


def case_bundles(ctx: BulkContext, *, count: int, open_share: float, seed: str = "bulk_cases") -> Iterator[CaseBundle]:
    """`count` synthetic cases; `open_share` of them still open (received, in handling, in
    correction or a special procedure, waiting to be issued or delivered), the rest ended."""
    rng = rng_for(seed)
    open_states, open_weights = zip(*OPEN_MIX, strict=True)
    ended_states, ended_weights = zip(*ENDED_MIX, strict=True)
    open_cum = list(itertools.accumulate(open_weights))
    ended_cum = list(itertools.accumulate(ended_weights))
    ahead = max(len([d for d in _days_until(ctx.wt.today, ctx.last_day)]) - 2, 0)
    for _ in range(count):
        if rng.random() < open_share:
            state = open_states[bisect.bisect(open_cum, rng.random() * open_cum[-1])]
        else:
            state = ended_states[bisect.bisect(ended_cum, rng.random() * ended_cum[-1])]
        yield _bundle(rng, ctx, state, ahead)


def _days_until(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start + dt.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            yield day
        day += dt.timedelta(days=1)


def _bundle(rng: random.Random, ctx: BulkContext, state: str, ahead: int) -> CaseBundle:
    version = ctx.versions[bisect.bisect(ctx.cum_weights, rng.random() * ctx.cum_weights[-1])]
    wt = ctx.wt
    if version.promised == 0 and state in RUNNING:
        state = "deliver"  # an instant item is decided the day it is accepted: open only until delivered
    promised = version.promised
    # the applicant
    if version.legal and (not version.persons or rng.random() < 0.3) and ctx.legal_persons:
        legal_id, applicant_name, person_id = rng.choice(ctx.legal_persons)
    else:
        legal_id, (person_id, applicant_name) = None, rng.choice(ctx.persons)
    # who filed it, where
    clerks = ctx.clerks.get(version.region_code) or ctx.clerks.get(CITY_CODE) or []
    if clerks and rng.random() < 0.75:
        filer, hall_id, filer_name = rng.choice(clerks)
        channel, agency_point_id = Case.WINDOW, None
    else:
        filer, agency_point_id, filer_name = rng.choice(ctx.agents)
        channel, hall_id = Case.AGENT, None
    accepted = state not in ("received", "refused") and not (state == "correction" and rng.random() < 0.5)
    if state == "withdrawn":
        accepted = rng.random() < 0.5
    # the timeline, in working-day indexes counted back from today
    last = len(wt.days) - 1
    steps = version.steps
    first_step, final_step = steps[0], steps[-1]
    moments: dict[str, dt.datetime] = {}
    accepted_on = due = warn = paused_since = step_due = None
    clock_state, paused_days = "", 0
    correction = special = metrics = None
    if state in ("received",) or (state == "correction" and not accepted):
        back = rng.randint(0, 3) if state == "received" else rng.randint(0, 9)
        if state == "correction" and rng.random() < 0.02:
            back = rng.randint(11, 13)  # unanswered past its limit: the sweep ends it
        submitted_back = back + (rng.randint(0, 2) if state == "correction" else 0)
    elif state in RUNNING:
        elapsed = _elapsed(rng, promised)
        elapsed = max(elapsed, promised - ahead)  # every deadline inside the known calendar
        submitted_back = min(elapsed + rng.randint(0, 2), last)
        back = min(elapsed, submitted_back)
    else:
        span = min(62, last)
        need = min(promised + 4, span)
        submitted_back = (
            rng.randint(need, span)
            if state != "deliver"
            else rng.randint(min(promised + 1, span), min(promised + 12, span))
        )
        back = submitted_back
    submit_day = wt.days[last - submitted_back]
    submitted_at = wt.office(rng, submit_day)
    created_at = submitted_at - dt.timedelta(minutes=rng.randrange(5, 40))
    moments["submit"] = submitted_at
    index = last - submitted_back
    if accepted:
        index = last - back if state in RUNNING else min(index + rng.randint(0, 2), last)
        accepted_on = wt.days[index]
        moments["accept"] = max(wt.office(rng, accepted_on), submitted_at + dt.timedelta(minutes=10))
    # what happened after acceptance
    step = first_step
    decided_at = completed_at = delivered_at = ended_at = None
    decision = delivery = ""
    if state == "approve" and len(steps) > 1:
        step = final_step
        index = min(index + rng.randint(0, max(1, promised // 3)), last)
        moments["approve_step"] = max(wt.office(rng, wt.days[index]), moments["accept"] + dt.timedelta(minutes=30))
    if state == "correction":
        asked = wt.days[max(last - rng.randint(0, 9), index)] if accepted else wt.days[last - back]
        moments["request_correction"] = max(
            wt.office(rng, asked), moments.get("accept", submitted_at) + dt.timedelta(minutes=20)
        )
        correction = CorrectionRow(
            items=[{"material_id": None, "name": "申请材料", "reason": "复印件不清晰，请重新提供"}],
            note="",
            requested_by_id=None,
            requested_on=asked,
            requested_at=moments["request_correction"],
            due_date=_plus(asked, 10),
            answered_on=None,
            answer="",
            expired=False,
        )
        if accepted:
            paused_since, clock_state = asked, Case.PAUSED
    if state == "special":
        started = wt.days[max(last - rng.randint(0, 6), index)]
        moments["start_special"] = max(wt.office(rng, started), moments["accept"] + dt.timedelta(minutes=20))
        special = SpecialRow("inspection", rng.choice((5, 10, 15)), "现场核查", started, None, "")
        paused_since, clock_state = started, Case.PAUSED
    if state in ("issue", "deliver", "delivered", "not_approved", "revoked"):
        index = min(index + rng.randint(0, max(1, math.ceil(promised * 1.1))), last)
        step = final_step
        decided_at = max(wt.office(rng, wt.days[index]), moments["accept"] + dt.timedelta(minutes=30))
        decision = "not_approved" if state == "not_approved" else "approved"
        moments["decide"] = decided_at
    if state in ("deliver", "delivered", "revoked"):
        index = min(index + rng.choice((0, 0, 1)), last)
        completed_at = max(wt.office(rng, wt.days[index]), decided_at + dt.timedelta(minutes=20))
        moments["issue_result"] = completed_at
    if state in ("delivered", "revoked"):
        index = min(index + rng.randint(0, 3), last)
        delivered_at = max(wt.office(rng, wt.days[index]), completed_at + dt.timedelta(minutes=20))
        delivery = rng.choice(("window", "window", "mail", "electronic"))
        moments["deliver"] = delivered_at
        ended_at = delivered_at
    if state == "revoked":
        index = min(index + rng.randint(3, 15), last)
        moments["revoke"] = max(wt.office(rng, wt.days[index]), delivered_at + dt.timedelta(hours=1))
    if state == "refused":
        index = min(index + rng.randint(0, 2), last)
        ended_at = moments["refuse"] = max(wt.office(rng, wt.days[index]), submitted_at + dt.timedelta(minutes=10))
    if state == "withdrawn":
        index = min(index + rng.randint(0, 3), last)
        ended_at = moments["withdraw"] = max(
            wt.office(rng, wt.days[index]), moments.get("accept", submitted_at) + dt.timedelta(minutes=10)
        )
    if state == "not_approved":
        ended_at = decided_at
    latest = max(moments.values())
    latest = min(latest, wt.now - dt.timedelta(minutes=1))
    # deadlines and the clock
    if accepted_on is not None:
        deadlines = _deadlines(accepted_on, promised, paused_days)
        due, warn = deadlines.due_date, deadlines.warn_on
        entered = _day_of(moments.get("approve_step") or moments["accept"])
        step_due = _plus(entered, step[3]) if entered + dt.timedelta(days=step[3] * 2 + 10) < ctx.last_day else None
        if not clock_state:
            if state in ("review", "approve", "issue"):
                clock_state = clock.clock_colour(today=ctx.as_of, due_date=due, warn_on=warn)
            else:
                clock_state = Case.STOPPED
    queue = workflow.queue_for(STATUS_OF[state], step[2] if STATUS_OF[state] == Case.HANDLING else "")
    status = STATUS_OF[state]
    in_handling = status in (Case.HANDLING, Case.SPECIAL) or (status == Case.CORRECTION and accepted)
    row = CaseRow(
        version_id=version.id,
        item_id=version.item_id,
        item_name=version.name,
        department_id=version.department_id,
        office_id=version.department_id,
        region_code=version.region_code,
        person_id=person_id,
        legal_person_id=legal_id,
        applicant_name=applicant_name,
        filed_by_id=filer,
        channel=channel,
        hall_id=hall_id,
        agency_point_id=agency_point_id,
        status=status,
        queue=queue,
        step=step[0] if accepted_on else 0,
        step_name=step[1] if accepted_on else "",
        step_post=step[2] if accepted_on else "",
        correction_from=(Case.HANDLING if accepted else Case.RECEIVED) if state == "correction" else "",
        revision=len(moments),
        created_at=created_at,
        updated_at=latest,
        submitted_at=submitted_at,
        accepted_on=accepted_on,
        promised_days=promised,
        paused_days=paused_days,
        paused_since=paused_since,
        due_date=due,
        warn_on=warn,
        step_due_date=step_due if in_handling or state == "issue" else None,
        clock=clock_state,
        decision=decision,
        decided_at=decided_at,
        owed_material="",
        owed_until=None,
        result_name=version.result_name if completed_at else "",
        result_reference=f"{version.region_code[:6]}{submitted_at:%Y}{rng.randrange(10**7):07d}"
        if completed_at
        else "",
        completed_at=completed_at,
        delivery=delivery,
        carrier="中国邮政EMS" if delivery == "mail" else "",
        tracking_number=f"1{rng.randrange(10**11, 10**12)}" if delivery == "mail" else "",
        delivered_at=delivered_at,
        ended_at=ended_at,
    )
    history = _bulk_history(ctx, version, row, moments, filer, filer_name, accepted_on is not None, state)
    if ended_at is not None or state == "revoked":
        ended_on = _day_of(ended_at)
        staff_ids = sorted({h.actor_id for h in history if h.actor_id})
        metrics = MetricsRow(
            visits=1 if channel == Case.WINDOW else 0,
            materials_submitted=rng.randint(2, 6),
            materials_exempted=rng.choice((0, 0, 1, 2)),
            days_used=max(working_days(accepted_on, ended_on), 0) if accepted_on else None,
            on_time=(ended_on <= due) if due else None,
            steps=len(steps) + 1 if accepted_on else 0,
            actors=staff_ids,
            ended_on=ended_on,
        )
    return CaseBundle(row, history, correction, special, metrics)


def working_days(start: dt.date, end: dt.date) -> int:
    return clock.paused_working_days(start, end)


def _day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_zone()).date()


@functools.cache
def _zone() -> dt.tzinfo:
    return timezone.get_current_timezone()


def _elapsed(rng: random.Random, promised: int) -> int:
    """Working days since acceptance of a running case: most well inside the promise, some close
    to it (yellow), some past it (red)."""
    roll = rng.random()
    if roll < 0.72:
        return rng.randint(0, max(0, math.floor(promised * 0.7)))
    if roll < 0.90:
        return rng.randint(max(0, math.ceil(promised * 0.8) - 1), promised)
    return rng.randint(promised + 1, promised + 10)


def _bulk_history(ctx, version, row, moments, filer, filer_name, accepted, state) -> list[HistoryRow]:
    first_step = version.steps[0]
    rows = [
        HistoryRow(
            "submit",
            1,
            Case.RECEIVED,
            "",
            "",
            version.office_name,
            version.office_uscc,
            filer,
            filer_name,
            moments["submit"],
        )
    ]
    if accepted:
        actor = ctx.actor(version, "accept", (filer, filer_name))
        at = moments["accept"]
        rows.append(
            HistoryRow(
                "accept",
                3,
                Case.HANDLING,
                first_step[1],
                "材料齐全，予以受理。",
                version.office_name,
                version.office_uscc,
                *actor,
                at,
            )
        )
        rows.append(
            HistoryRow(
                "start",
                8,
                Case.HANDLING,
                first_step[1],
                f"进入“{first_step[1]}”环节",
                version.office_name,
                version.office_uscc,
                *actor,
                at,
            )
        )
    final = FINAL_ACTS.get(state)
    if final is not None:
        act, code, status = final
        post = {"approve_step": "review", "decide": "approve", "issue_result": "issue", "deliver": "deliver"}.get(
            act, "review"
        )
        if act in ("withdraw",):
            actor, code = (filer, filer_name), (14 if accepted else 2)
        elif act in ("refuse",):
            actor = ctx.actor(version, "accept", (filer, filer_name))
        else:
            actor = ctx.actor(version, post, (None, f"{version.office_short}工作人员"))
        rows.append(
            HistoryRow(
                act,
                code,
                status,
                row.step_name,
                OPINION_OF.get(act, ""),
                version.office_name,
                version.office_uscc,
                *actor,
                moments[act],
            )
        )
    return rows


OPINION_OF = {
    "approve_step": "经审核，符合规定条件。",
    "request_correction": "申请材料：复印件不清晰，请重新提供",
    "start_special": "现场核查（时限5个工作日）",
    "decide": "准予许可。",
    "issue_result": "办结",
    "deliver": "窗口领取",
    "refuse": "申请事项不属于本机关职权范围（依据：《中华人民共和国行政许可法》第三十二条）",
    "withdraw": "申请人撤回申请。",
    "revoke": "被许可人以欺骗手段取得行政许可（依据：《中华人民共和国行政许可法》第六十九条）",
}


def cases_bulk_build(
    *, count: int = BULK_CASES, open_share: float = BULK_OPEN_SHARE, say: Say = print, tick: Say | None = None
) -> int:
    """Top the city up to `count` cases with the bulk loader; returns how many were loaded."""
    from django.db import connection

    have = Case.objects.filter(region_code__startswith=CITY_PREFIX).count()
    wanted = count - have
    if wanted <= 0:
        return 0
    started = time.perf_counter()
    ctx = bulk_context()

    def show(done: int) -> None:
        if tick is not None:
            elapsed = time.perf_counter() - started
            tick(f"\r办件 {done:,} / {wanted:,} ({done * 100 // wanted}%) {elapsed:.0f} s")

    bundles = case_bundles(ctx, count=wanted, open_share=open_share)
    loaded = bulk.case_bulk_create(bundles, progress=show, defer_indexes=wanted >= 100_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("cases_case", "cases_casestatus", "cases_casecorrection", "cases_casemetrics"):
                cursor.execute(f"ANALYZE {table}")
    return loaded
