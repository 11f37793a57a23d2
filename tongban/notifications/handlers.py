"""Listeners that turn domain events into messages for the people concerned."""

from tongban.accounts import selectors as accounts
from tongban.core.events import subscribe
from tongban.notifications.services import notification_send

# Acts on a case worth telling the applicant about, with the message's title.
CASE_TITLES = {
    "submit": "申请已提交",
    "accept": "申请已受理",
    "refuse": "申请不予受理",
    "request_correction": "请补正材料",
    "expire_correction": "逾期未补正，办件已终止",
    "decide": "审批决定已作出",
    "issue_result": "办件已办结",
    "deliver": "办理结果已送达",
    "receive_owed": "容缺材料已收到",
    "expire_owed": "容缺材料逾期，审批决定已撤销",
    "withdraw": "申请已撤回",
    "revoke": "审批决定已撤销",
}


@subscribe("case.changed")
def case_changed(event) -> None:
    payload = event.payload
    title = CASE_TITLES.get(payload["act"])
    if title is None:
        return
    recipients = list(accounts.users_of_persons([payload["person_id"]]).values_list("pk", flat=True))
    if payload.get("filed_by_id") and payload.get("channel") == "agent":
        recipients.append(payload["filed_by_id"])  # the village agent follows the case too
    body = f"{payload['item_name']}（{payload['number']}）"
    if payload.get("opinion"):
        body += f"：{payload['opinion']}"
    notification_send(
        recipient_ids=recipients,
        topic=f"case.{payload['act']}",
        title=title,
        body=body,
        case_number=payload["number"] or "",
        event_id=event.pk,
    )


@subscribe("case.deadline_moved")
def case_deadline_moved(event) -> None:
    """The calendar changed under an open case: its applicant learns the new promised date."""
    payload = event.payload
    recipients = list(accounts.users_of_persons([payload["person_id"]]).values_list("pk", flat=True))
    if payload.get("filed_by_id") and payload.get("channel") == "agent":
        recipients.append(payload["filed_by_id"])
    body = (
        f"{payload['item_name']}（{payload['number']}）：按新公布的节假日安排，"
        f"承诺办结日期由 {payload['old_due'] or '—'} 调整为 {payload['new_due']}。"
    )
    if payload.get("provisional_years"):
        years = "、".join(map(str, payload["provisional_years"]))
        body += f"该日期仍为预计，{years}年节假日安排公布后可能再调整。"
    notification_send(
        recipient_ids=recipients,
        topic="case.deadline_moved",
        title="承诺办结日期已调整",
        body=body,
        case_number=payload["number"] or "",
        event_id=event.pk,
    )


@subscribe("person.reveal_burst")
def person_reveal_burst(event) -> None:
    """A staff member unmasked many people in a short time: supervision covering their department
    is told at once (accounts.reveal)."""
    payload = event.payload
    recipients = accounts.officer_ids_covering(payload["department_id"], event.region_code, "supervise")
    notification_send(
        recipient_ids=recipients,
        topic="person.reveal_burst",
        title="个人信息查看异常",
        body=(
            f"{payload['actor_name']}在{payload['minutes']}分钟内查看完整个人信息{payload['count']}次，"
            "请在审计记录中核查其依据。"
        ),
        event_id=event.pk,
    )
