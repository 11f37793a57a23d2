"""代办 consent as a service: the code sent to the villager's phone is proven once, within five
minutes and five tries, for the person it was sent to; a signature must be an image and is filed
under the item's authorisation material when there is one."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import consent
from tongban.cases.tests.factories import case_item, draft_case, officer, pdf_bytes, png_bytes
from tongban.core.errors import ValidationFailed
from tongban.core.masking import mask

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(sms_gateway):
    villager = UserFactory().person
    agent = officer(case_item().item.department, "agent")
    challenge = consent.consent_sms_send(agent=agent, person=villager, item_name="食品经营许可")
    [message] = sms_gateway.received
    code = re.search(r"验证码为(\d{6})", message["text"]).group(1)
    return villager, challenge, code


def _refusal(challenge, *, person_id, code) -> str:
    with pytest.raises(ValidationFailed) as refused:
        consent.consent_sms_confirm(challenge, person_id=person_id, code=code)
    return refused.value.code


def test_the_challenge_keeps_no_code_in_clear(sent):
    villager, challenge, code = sent
    assert code not in str(challenge)
    assert challenge["phone_masked"] == mask("phone", villager.phone) and challenge["attempts"] == 0


def test_the_right_code_proves_consent_for_the_person_it_was_sent_to(sent):
    villager, challenge, code = sent
    given = consent.consent_sms_confirm(challenge, person_id=villager.pk, code=code)
    assert (given["method"], given["phone_masked"]) == ("sms", mask("phone", villager.phone))
    assert _refusal(challenge, person_id=villager.pk + 1, code=code) == "consent_sms_not_sent"
    assert _refusal(None, person_id=villager.pk, code=code) == "consent_sms_not_sent"


def test_a_wrong_code_counts_and_the_fifth_try_is_the_last(sent):
    villager, challenge, code = sent
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(consent.SMS_ATTEMPTS):
        assert _refusal(challenge, person_id=villager.pk, code=wrong) == "consent_sms_wrong"
    assert _refusal(challenge, person_id=villager.pk, code=code) == "consent_sms_lapsed"


def test_the_code_lapses_after_five_minutes(sent):
    villager, challenge, code = sent
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=consent.SMS_SECONDS + 1)):
        assert _refusal(challenge, person_id=villager.pk, code=code) == "consent_sms_lapsed"


def test_a_person_without_a_phone_is_told_to_sign_instead(sms_gateway):
    villager = UserFactory().person
    villager.phone = ""
    with pytest.raises(ValidationFailed) as refused:
        consent.consent_sms_send(agent=UserFactory(), person=villager, item_name="食品经营许可")
    assert refused.value.code == "consent_no_phone" and not sms_gateway.received


def test_a_signature_must_be_an_image():
    given = consent.consent_signature(name="签名.png", content=png_bytes())
    assert given["method"] == "signature" and len(given["sha256"]) == 64
    with pytest.raises(ValidationFailed) as refused:
        consent.consent_signature(name="签名.pdf", content=pdf_bytes())
    assert refused.value.code == "signature_not_image"


@pytest.mark.parametrize(("name", "chosen"), [("授权委托书", True), ("申请人签名页", True), ("营业执照", False)])
def test_the_signature_is_filed_under_the_authorisation_material(name, chosen):
    version = case_item(materials=[{"standard": name, "order": 1}])
    case = draft_case(version, upload=False)
    assert (consent.signature_material(case) is not None) == chosen
