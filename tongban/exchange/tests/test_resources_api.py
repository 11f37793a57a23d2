"""Registering and editing resources over /api/v1/exchange/resources."""

import pytest

from tongban.cases.tests.factories import officer
from tongban.exchange.models import DataResource
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/resources"
BODY = {
    "code": "marriage",
    "name": "婚姻登记信息",
    "fields": [
        {"name": "id_number", "label": "公民身份号码", "type": "id_number", "sensitivity": "sensitive"},
        {"name": "status", "label": "婚姻状况"},
    ],
    "description": "民政部门登记的结婚、离婚信息",
}


def test_a_data_officer_registers_edits_and_publishes_a_resource(client):
    provider = DepartmentFactory()
    client.force_login(officer(provider, "data"))

    created = client.post(URL, {**BODY, "provider_id": provider.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is False and [f["name"] for f in created.json()["fields"]] == [
        "id_number",
        "status",
    ]

    changed = client.patch(f"{URL}/marriage", {"sharing": "unconditional"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["sharing"] == "unconditional"
    assert client.post(f"{URL}/marriage/publish").json()["is_active"] is True
    assert DataResource.objects.get(code="marriage").is_active


def test_bad_fields_are_all_reported_and_another_departments_officer_is_refused(client):
    provider = DepartmentFactory()
    client.force_login(officer(provider, "data"))
    bad = {**BODY, "provider_id": provider.pk, "fields": [{"name": "Bad Name", "label": ""}]}
    refused = client.post(URL, bad, content_type="application/json")
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert len(refused.json()["problems"]) == 2

    client.force_login(officer(DepartmentFactory(), "data"))
    stranger = client.post(URL, {**BODY, "provider_id": provider.pk}, content_type="application/json")
    assert stranger.status_code == 403 and stranger.json()["code"] == "resource_not_yours"
    assert not DataResource.objects.exists()
