"""代办 consent: before a village agent files for a villager, the villager authorises it, either
by reading out a code sent to their phone or by signing on the agent's screen.

The code never rests anywhere in clear: the challenge holds its keyed hash, the person it was
sent to, when it lapses and how many tries are left; the page keeps the challenge in the agent's
session between the two requests. The consent a case records is what was proven: the masked
phone and when, or the signature's digest (the image itself is kept as a file of the item's
authorisation material where it has one)."""

import secrets

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from tongban.accounts.types import Actor
from tongban.cases import selectors, services
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.uploads import upload_check
from tongban.core.errors import ValidationFailed
from tongban.core.masking import mask
from tongban.notifications.services import sms_send

SMS_SECONDS = 5 * 60
SMS_ATTEMPTS = 5
SIGNATURE_TYPES = ("image/png", "image/jpeg")
# A material whose name holds one of these words is the item's authorisation (授权委托书 …).
SIGNATURE_MATERIAL_WORDS = ("授权", "委托", "签名")


def sms_code_new() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(code: str, person_id: int) -> str:
    return salted_hmac("tongban.cases.agent_sms", f"{person_id}:{code}", algorithm="sha256").hexdigest()


def consent_sms_send(*, agent, person, item_name: str) -> dict:
    """Text the person a code and return the challenge to keep until they read it out; refuses a
    person with no phone on record, and passes on the SMS platform's refusal."""
    if not person.phone:
        raise ValidationFailed(_("申请人未登记手机号码，请改用签名授权。"), code="consent_no_phone")
    code = sms_code_new()
    text = _("【%(site)s】您的代办授权验证码为%(code)s，%(minutes)d分钟内有效。代办员%(agent)s为您办理“%(item)s”。") % {
        "site": "通办",
        "code": code,
        "minutes": SMS_SECONDS // 60,
        "agent": agent.display_name,
        "item": item_name,
    }
    sms_send(phone=person.phone, text=text)
    return {
        "hash": _code_hash(code, person.pk),
        "person_id": person.pk,
        "phone_masked": mask("phone", person.phone),
        "expires": timezone.now().timestamp() + SMS_SECONDS,
        "attempts": 0,
    }


def consent_sms_confirm(challenge: dict | None, *, person_id: int, code: str) -> dict:
    """The consent a correct code proves. Each try counts against the challenge (the caller keeps
    it, changed); a missing, lapsed or exhausted challenge or a wrong code is refused."""
    if not challenge or challenge["person_id"] != person_id:
        raise ValidationFailed(_("请先发送验证码。"), code="consent_sms_not_sent")
    if challenge["expires"] < timezone.now().timestamp() or challenge["attempts"] >= SMS_ATTEMPTS:
        raise ValidationFailed(_("验证码已失效，请重新发送。"), code="consent_sms_lapsed")
    challenge["attempts"] += 1
    if not constant_time_compare(challenge["hash"], _code_hash(code, person_id)):
        raise ValidationFailed(_("验证码不正确，请申请人核对短信后重新念出。"), code="consent_sms_wrong")
    return {"method": "sms", "phone_masked": challenge["phone_masked"], "confirmed_at": timezone.now().isoformat()}


def consent_signature(*, name: str, content: bytes) -> dict:
    """The consent a signature image proves; anything but a PNG or JPG image is refused."""
    checked = upload_check(name=name, content=content)
    if checked.content_type not in SIGNATURE_TYPES:
        raise ValidationFailed(_("签名须为PNG或JPG图片。"), code="signature_not_image")
    return {
        "method": "signature",
        "sha256": checked.sha256,
        "size": len(content),
        "confirmed_at": timezone.now().isoformat(),
    }


def signature_material(case: Case) -> CaseMaterial | None:
    """The case's authorisation material, which the signature image is filed under."""
    return next(
        (m for m in selectors.case_materials(case) if any(word in m.name for word in SIGNATURE_MATERIAL_WORDS)), None
    )


def consent_signature_keep(*, actor: Actor, case: Case, name: str, content: bytes) -> None:
    """Keep the signature image as a file of the authorisation material when the item has one;
    otherwise the digest in the consent is the record."""
    material = signature_material(case)
    if material is not None:
        services.case_file_add(actor=actor, case_id=case.pk, material_id=material.pk, name=name, content=content)
