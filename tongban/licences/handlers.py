"""Tells holders what happened to their licences, after commit, through the inbox. A licence of a
legal person is told to its legal representative. Each message is keyed by the event, so an event
offered twice sends nothing more."""

from tongban.accounts import selectors as accounts
from tongban.core.events import subscribe
from tongban.notifications.services import notification_send

TITLES = {
    "issue": "电子证照已发放",
    "import": "历史证照已入库",
    "suspend": "电子证照已暂扣",
    "restore": "电子证照已恢复有效",
    "revoke": "电子证照已撤销",
    "cancel": "电子证照已注销",
    "expire": "电子证照已失效",
    "supersede": "电子证照已更新版本",
    "transfer_out": "电子证照已转出",
    "revoke_penalty": "电子证照已吊销",
    "remind": "电子证照即将到期",
}


def holder_user_ids(payload: dict) -> list[int]:
    person_id = payload.get("holder_person_id")
    if not person_id and payload.get("holder_legal_person_id"):
        person_id = accounts.legal_person_by_id(payload["holder_legal_person_id"]).legal_representative_id
    if not person_id:
        return []
    return list(accounts.users_of_persons([person_id]).values_list("pk", flat=True))


@subscribe("licence.changed")
def licence_changed(event) -> None:
    payload = event.payload
    title = TITLES.get(payload["act"])
    if title is None:
        return
    body = f"{payload['type_name']}（{payload['identifier']}）"
    if payload["act"] == "remind":
        body += f"将于 {payload['valid_until']} 到期，请及时办理延续。"
    elif payload.get("reason"):
        body += f"：{payload['reason']}"
    notification_send(
        recipient_ids=holder_user_ids(payload),
        topic=f"licence.{payload['act']}",
        title=title,
        body=body,
        event_id=event.pk,
    )
