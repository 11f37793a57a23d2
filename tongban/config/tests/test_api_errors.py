"""Refusals the framework makes (a wrong key, a missing CSRF token) read like the platform's own:
problem+json, in Chinese, with a stable code."""

import pytest
from django.test import Client

from tongban.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/exchange/lookup"
BODY = {"resource": "MZ-HYDJ", "keys": ["11010519491231002X"], "fields": ["status"], "purpose": "核验"}


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert any("\u4e00" <= c <= "\u9fff" for c in body["detail"])  # worded in Chinese
    return body


@pytest.mark.parametrize("key", ["tbk_0000000000_wrong", "not-a-key", "tbk_"])
def test_a_wrong_api_key_is_refused_as_such(key):
    answer = Client().post(LOOKUP, BODY, content_type="application/json", headers={"X-Api-Key": key})
    _problem(answer, 401, "api_key_invalid")


def test_a_wrong_api_key_beside_a_session_is_still_a_wrong_key():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    answer = client.post(LOOKUP, BODY, content_type="application/json", headers={"X-Api-Key": "tbk_0_x"})
    _problem(answer, 401, "api_key_invalid")


def test_a_session_call_without_its_csrf_token_is_told_what_to_send():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    body = _problem(client.post(LOOKUP, BODY, content_type="application/json"), 403, "csrf_failed")
    assert "X-CSRFToken" in body["detail"]


def test_no_credentials_at_all_ask_to_sign_in():
    _problem(Client().post(LOOKUP, BODY, content_type="application/json"), 401, "unauthenticated")
