"""Consistency rules checked when a version is published (Zhejiang practice, DOMAIN.md). Each rule
returns a sentence saying what is wrong and what to change, or nothing."""

from collections.abc import Callable

from tongban.catalog.codes import parse_implementation_code
from tongban.catalog.models import ItemVersion
from tongban.core.errors import ValidationFailed

Rule = Callable[[ItemVersion], str | None]


def _instant_is_consistent(v: ItemVersion) -> str | None:
    instant = v.promised_limit_days == 0
    if instant != (v.promise_kind == "instant" and v.review_kind == "instant"):
        return "承诺时限为即办（0个工作日）当且仅当办件类型为“即办件”且审查类型为“即审即办”。"
    return None


def _visits_have_a_reason(v: ItemVersion) -> str | None:
    if v.visits and not v.visits_reason.strip():
        return f"到现场次数为{v.visits}次，须填写到现场的原因。"
    return None


def _offline_items_offer_mail(v: ItemVersion) -> str | None:
    if v.visits == 0 and not v.by_online and not v.by_mail:
        return "到现场0次而不能网上办理的事项，须提供快递申请（邮寄）。"
    return None


def _full_online_means_no_visit(v: ItemVersion) -> str | None:
    if v.online_depth == 4 and v.visits:
        return "网办深度为四级（全程网办）的事项，到现场次数应为0。"
    return None


def _online_payment_needs_a_fee(v: ItemVersion) -> str | None:
    if v.online_payment and not v.charged:
        return "不收费的事项不应勾选“支持网上支付”。"
    if v.charged and not v.fees.exists():
        return "收费事项须列出至少一个收费项目及其标准和依据。"
    return None


def _result_has_a_sample(v: ItemVersion) -> str | None:
    if v.result_type != "none" and not v.result_name.strip():
        return "有审批结果的事项须填写审批结果名称。"
    if v.result_type != "none" and not v.result_sample and not v.result_licence_type:
        return "有审批结果的事项须上传审批结果样本（或关联电子证照类型）。"
    return None


def _steps_fit_the_promise(v: ItemVersion) -> str | None:
    steps = list(v.steps.all())
    if not steps:
        return "须至少设置一个办理环节（受理）。"
    total = sum(step.budget_days for step in steps)
    if total > v.promised_limit_days and v.promised_limit_days > 0:
        return f"各办理环节时限之和为{total}个工作日，超过承诺时限{v.promised_limit_days}个工作日。"
    return None


def _promise_within_the_law(v: ItemVersion) -> str | None:
    if v.promised_limit_days > v.legal_limit_days:
        return f"承诺时限（{v.promised_limit_days}个工作日）不能超过法定时限（{v.legal_limit_days}个工作日）。"
    return None


def _phones_differ(v: ItemVersion) -> str | None:
    if v.consult_phone.strip() and v.consult_phone.strip() == v.complaint_phone.strip():
        return "咨询电话与监督投诉电话不能相同。"
    return None


def _code_names_the_implementing_body(v: ItemVersion) -> str | None:
    try:
        code = parse_implementation_code(v.implementation_code)
    except ValidationFailed as error:
        return f"实施编码有误：{error.message}"
    department = v.item.department
    if code.uscc != department.uscc:
        return f"实施编码中的统一社会信用代码与实施主体“{department.name}”的代码不一致。"
    if code.region_code != department.region_id:
        return "实施编码中的行政区划代码与实施主体所在区划不一致。"
    if code.basic_code != v.item.basic_code.upper():
        return "实施编码末尾的基本编码与事项基本编码不一致。"
    return None


def _serves_someone(v: ItemVersion) -> str | None:
    if not (v.for_persons or v.for_legal_persons):
        return "须至少选择一类服务对象（自然人或法人）。"
    if not (v.by_window or v.by_online or v.by_mail):
        return "须至少提供一种办理形式（窗口、网上或快递）。"
    return None


RULES: tuple[Rule, ...] = (
    _code_names_the_implementing_body,
    _serves_someone,
    _instant_is_consistent,
    _promise_within_the_law,
    _visits_have_a_reason,
    _offline_items_offer_mail,
    _full_online_means_no_visit,
    _online_payment_needs_a_fee,
    _result_has_a_sample,
    _steps_fit_the_promise,
    _phones_differ,
)


def version_problems(version: ItemVersion) -> list[str]:
    """Every broken rule of a version, in a fixed order; empty when it may be published."""
    return [problem for rule in RULES if (problem := rule(version))]
