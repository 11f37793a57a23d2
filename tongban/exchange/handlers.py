"""Listeners of the exchange's access events: they tell the people concerned, after commit, through
the notifications inbox. Each message is keyed by the event, so an event offered twice (the outbox
retries a failed dispatch) sends nothing more."""

from tongban.core.events import subscribe
from tongban.exchange import access
from tongban.notifications.services import notification_send

# Act → title of the message to the requesting department.
REQUESTER_TITLES = {
    "request": "共享申请已提交",
    "approve": "共享申请已批准",
    "refuse": "共享申请未获批准",
    "revoke": "共享授权已撤销",
}


@subscribe(access.TOPIC)
def access_changed(event) -> None:
    payload = event.payload
    act = payload["act"]
    if act == "overdue":
        _tell_supervisors(event)
        return
    if act == "request" and payload["status"] == "pending":
        _send(event, access.data_officer_ids_of(payload["provider_id"]), "有新的共享申请待审核", _due_line(payload))
    if act == "withdraw":
        _send(event, access.data_officer_ids_of(payload["provider_id"]), "共享申请已撤回", "")
        return
    title = REQUESTER_TITLES.get(act)
    if title is None:
        return
    if act == "request" and payload["status"] == "approved":
        title = "共享申请已自动批准"
    _send(event, _requesters(payload), title, payload.get("reason", ""))


def _requesters(payload: dict) -> list[int]:
    # A request filed by a system itself has no person: its department's data officers follow it.
    if payload.get("requested_by_id"):
        return [payload["requested_by_id"]]
    return access.data_officer_ids_of(payload["department_id"])


def _due_line(payload: dict) -> str:
    return f"请于 {payload['due_on']} 前审核"


def _tell_supervisors(event) -> None:
    payload = event.payload
    body = f"审核期限 {payload['due_on']}，已逾期 {payload.get('overdue_days', 0)} 个工作日，提供部门尚未审核"
    _send(event, access.supervisor_ids_for(payload["provider_id"]), "共享申请审核逾期", body)


def _send(event, recipients: list[int], title: str, detail: str) -> None:
    payload = event.payload
    body = f"{payload['resource_name']}（{payload['resource_code']}）"
    if payload.get("request_id"):
        body += f"，申请编号 {payload['request_id']}"
    if detail:
        body += f"：{detail}"
    notification_send(
        recipient_ids=recipients, topic=f"exchange.access_{payload['act']}", title=title, body=body, event_id=event.pk
    )
