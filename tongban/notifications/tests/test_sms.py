import pytest

from tongban.core.errors import Unavailable
from tongban.notifications.sms import sms_send
from tongban.notifications.tests.sms_gateway import SmsGateway


def test_a_message_is_posted_to_the_gateway_with_its_token(sms_gateway):
    sms_send(phone="13800000001", text="【通办】验证码 123456")
    assert sms_gateway.received == [
        {"auth": "Bearer test-token", "phone": "13800000001", "text": "【通办】验证码 123456"}
    ]


def test_a_gateway_refusal_says_what_to_do_and_masks_the_number(sms_gateway):
    sms_gateway.status = 503
    with pytest.raises(Unavailable, match="138\\*\\*\\*\\*0001") as error:
        sms_send(phone="13800000001", text="x")
    assert error.value.code == "sms_unavailable"


def test_a_gateway_that_is_down_does_not_hang(settings):
    gateway = SmsGateway()
    settings.TONGBAN_SMS_GATEWAY_URL = gateway.url
    gateway.close()
    with pytest.raises(Unavailable):
        sms_send(phone="13800000001", text="x")


def test_without_a_gateway_nothing_is_sent(settings):
    settings.TONGBAN_SMS_GATEWAY_URL = ""
    with pytest.raises(Unavailable) as error:
        sms_send(phone="13800000001", text="x")
    assert error.value.code == "sms_not_configured"
