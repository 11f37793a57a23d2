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


def test_an_api_address_that_names_no_operation_is_a_problem_not_a_page():
    client = Client()
    client.force_login(UserFactory())
    body = _problem(client.get("/api/v1/licences/false"), 404, "endpoint_not_found")
    assert "路径参数" in body["detail"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("/api/v1/cases/%00"),
        lambda c: c.get("/api/v1/catalog/items", {"theme": "a\x00b"}),
        lambda c: c.post("/api/v1/licences/1/renew", '{"reason": "\\u0000"}', content_type="application/json"),
    ],
)
def test_a_nul_anywhere_in_the_input_is_refused_before_the_database_sees_it(call):
    client = Client()
    client.force_login(UserFactory())
    _problem(call(client), 400, "nul_character")


def test_an_escaped_backslash_before_u0000_is_no_nul():
    client = Client()
    client.force_login(UserFactory())
    answer = client.post("/api/v1/licences/1/renew", '{"reason": "\\\\u0000"}', content_type="application/json")
    assert answer.status_code == 404  # the licence is missing; the text was read as typed


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, 10**30])
def test_an_integer_beyond_64_bits_is_refused_by_name(number):
    client = Client()
    client.force_login(UserFactory())
    body = _problem(client.get(f"/api/v1/catalog/items/{number}"), 400, "integer_out_of_range")
    assert body["field"] == "item_id"
    body = _problem(
        client.get("/api/v1/exchange/calls", {"page": 1, "consumer_id": number}), 400, "integer_out_of_range"
    )


def test_a_nul_in_an_api_key_is_a_wrong_key():
    answer = Client().post(LOOKUP, BODY, content_type="application/json", headers={"X-Api-Key": "tbk_0\x00_x"})
    _problem(answer, 401, "api_key_invalid")
