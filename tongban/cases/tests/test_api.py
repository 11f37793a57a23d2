"""The cases API: applying with Base64 files or as multipart, lists and detail as each caller may see them, every act
with its expected revision, and refusals as application/problem+json."""

import base64
import hashlib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.tests.factories import UserFactory
from tongban.cases.models import Case, CaseFile
from tongban.cases.tests.factories import ANSWERS, Crew, case_item, officer, pdf_bytes, png_bytes
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def east():
    """An item of a district department (城东区) and its crew."""
    department = DepartmentFactory(region=region_tree()["341902000000"])
    version = case_item(department)
    return version, Crew(department)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def application(version, user, **overrides) -> dict:
    return {
        "item_id": version.item_id,
        "answers": {"name": user.person.real_name, "id_number": user.person.id_number, **ANSWERS},
        "files": [
            {"standard_code": "M-居民身份证", "name": "身份证.pdf", "content_base64": b64(pdf_bytes())},
            {"standard_code": "M-经营场所证明", "name": "租赁合同.png", "content_base64": b64(png_bytes())},
        ],
        **overrides,
    }


def apply(client, version, user=None, **overrides):
    user = user or UserFactory()
    client.force_login(user)
    return client.post("/api/v1/cases", application(version, user, **overrides), content_type="application/json")


def applied(client, version, user=None, **overrides) -> dict:
    """Apply, then read the new case's detail where the 201 response points."""
    response = apply(client, version, user, **overrides)
    assert response.status_code == 201, response.content
    return client.get(response["Location"]).json()


def act(client, user, number: str, name: str, revision: int, **body):
    client.force_login(user)
    return client.post(
        f"/api/v1/cases/{number}/acts/{name}",
        {"expected_revision": revision, **body},
        content_type="application/json",
    )


def person_id_absent(response, user) -> bool:
    return user.person.id_number not in response.content.decode()


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]), "the message is in Chinese"
    return body


def test_apply_returns_201_with_a_national_case_number_and_masked_personal_data(client, east):
    version, _ = east
    user = UserFactory()

    response = apply(client, version, user)

    assert response.status_code == 201, response.content
    summary = response.json()
    assert response["Location"] == f"/api/v1/cases/{summary['number']}"
    assert person_id_absent(response, user)
    detail = client.get(response["Location"])
    body = detail.json()
    assert {key: body[key] for key in summary} == summary
    region = version.item.department.region.code
    today = Case.objects.get().submitted_at.astimezone().strftime("%Y%m%d")
    assert re.fullmatch(rf"{region}{today}{version.item_id % 1_000_000:06d}0001", body["number"])
    assert len(body["number"]) == 12 + 8 + 6 + 4
    assert (body["status"], body["queue"], body["channel"]) == ("received", "accept", "api")
    person = user.person
    assert body["applicant_name"] == person.real_name[0] + "*" * (len(person.real_name) - 1)
    assert body["applicant"]["id_number"] == person.id_number[:6] + "********" + person.id_number[-4:]
    assert body["answers"]["id_number"] == body["applicant"]["id_number"]
    assert person.id_number not in detail.content.decode()
    provided = {m["name"]: [f["name"] for f in m["files"]] for m in body["materials"]}
    assert provided == {"居民身份证": ["身份证.pdf"], "经营场所证明": ["租赁合同.png"]}
    assert "content_base64" not in response.content.decode()
    assert [(row["act"], row["code"]) for row in body["history"]] == [("submit", 1)]
    assert "withdraw" in body["acts"] and "accept" not in body["acts"]


def test_a_case_goes_from_application_to_delivery_through_the_acts(client, east):
    version, crew = east
    body = applied(client, version)
    number = body["number"]

    client.force_login(crew.accept)
    assert "accept" in client.get(f"/api/v1/cases/{number}").json()["acts"]
    steps = [
        (crew.accept, "accept", {"opinion": "材料齐全"}),
        (crew.review, "approve_step", {"opinion": "符合条件"}),
        (crew.approve, "decide", {"decision": "approved", "opinion": "准予许可"}),
        (crew.issue, "issue_result", {"reference": "JY23419020000001"}),
        (crew.deliver, "deliver", {"method": "mail", "carrier": "中国邮政", "tracking_number": "1180000000001"}),
    ]
    for officer_user, name, extra in steps:
        response = act(client, officer_user, number, name, body["revision"], **extra)
        assert response.status_code == 200, response.content
        assert response.json()["revision"] == body["revision"] + 1
        body = response.json()

    assert (body["status"], body["queue"], body["clock"]) == ("delivered", "done", "stopped")
    assert body["result_reference"] == "JY23419020000001" and body["tracking_number"] == "1180000000001"
    codes = [(row["act"], row["code"]) for row in body["history"]]
    assert codes == [
        ("submit", 1),
        ("accept", 3),
        ("start", 8),
        ("approve_step", None),
        ("decide", 11),
        ("issue_result", None),
        ("deliver", None),
    ]
    assert body["history"][1]["office_uscc"] == version.item.department.uscc
    assert body["acts"] == []


def test_a_correction_is_answered_with_a_new_file_through_the_api(client, east):
    version, crew = east
    user = UserFactory()
    body = applied(client, version, user)
    material = body["materials"][0]
    body = act(
        client,
        crew.accept,
        body["number"],
        "request_correction",
        body["revision"],
        items=[{"material_id": material["id"], "reason": "身份证照片模糊"}],
    ).json()
    assert body["status"] == "correction" and body["corrections"][0]["items"][0]["reason"] == "身份证照片模糊"

    client.force_login(user)
    uploaded = client.post(
        f"/api/v1/cases/{body['number']}/materials/{material['id']}/files",
        {"name": "身份证（清晰）.pdf", "content_base64": b64(pdf_bytes())},
        content_type="application/json",
    )
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "application/pdf"
    answered = act(client, user, body["number"], "answer_correction", body["revision"], answer="已重新上传")

    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "received"
    assert [row["code"] for row in answered.json()["history"]] == [1, 6, 7]


def test_an_act_the_state_does_not_allow_is_a_409_problem(client, east):
    version, crew = east
    body = applied(client, version)

    response = act(client, crew.deliver, body["number"], "deliver", body["revision"], method="window")

    problem = assert_problem(response, 409, "case_transition_refused")
    assert "已接件" in problem["detail"]
    assert Case.objects.get().status == Case.RECEIVED


def test_a_stale_revision_is_a_409_case_changed(client, east):
    version, crew = east
    body = applied(client, version)
    assert act(client, crew.accept, body["number"], "accept", body["revision"]).status_code == 200

    response = act(client, crew.review, body["number"], "approve_step", body["revision"], opinion="同意")

    assert_problem(response, 409, "case_changed")
    assert Case.objects.get().step_name == "审核"


def test_staff_of_another_county_get_404_on_detail_act_and_file(client, east):
    version, _ = east
    body = applied(client, version)
    file_id = body["materials"][0]["files"][0]["id"]
    west_department = DepartmentFactory(region=region_tree()["341903000000"])
    west_clerk = officer(west_department, "accept", "window")
    client.force_login(west_clerk)

    assert_problem(client.get(f"/api/v1/cases/{body['number']}"), 404, "case_not_found")
    assert_problem(act(client, west_clerk, body["number"], "accept", body["revision"]), 404, "case_not_found")
    assert_problem(client.get(f"/api/v1/cases/{body['number']}/files/{file_id}"), 404, "file_not_found")
    client.force_login(west_clerk)
    assert client.get("/api/v1/cases", {"q": body["number"]}).json()["count"] == 0
    assert Case.objects.get().status == Case.RECEIVED


def test_an_applicant_sees_only_their_own_cases_and_files(client, east):
    version, _ = east
    mine, theirs = UserFactory(), UserFactory()
    own = applied(client, version, mine)
    other = applied(client, version, theirs)
    other_file = other["materials"][0]["files"][0]["id"]
    client.force_login(mine)

    listed = client.get("/api/v1/cases").json()
    assert [row["number"] for row in listed["items"]] == [own["number"]] and listed["count"] == 1
    assert_problem(client.get(f"/api/v1/cases/{other['number']}"), 404, "case_not_found")
    assert_problem(client.get(f"/api/v1/cases/{other['number']}/files/{other_file}"), 404, "file_not_found")
    assert_problem(client.get(f"/api/v1/cases/{own['number']}/files/{other_file}"), 404, "file_not_found")
    assert_problem(act(client, mine, other["number"], "withdraw", other["revision"]), 404, "case_not_found")


def test_a_file_is_downloaded_with_its_type_by_the_applicant_and_staff_in_scope(client, east):
    version, crew = east
    user = UserFactory()
    body = applied(client, version, user)
    stored = body["materials"][0]["files"][0]

    for reader in (user, crew.accept):
        client.force_login(reader)
        response = client.get(f"/api/v1/cases/{body['number']}/files/{stored['id']}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        content = b"".join(response.streaming_content)
        assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == stored["sha256"]
        assert response["X-Content-SHA256"] == stored["sha256"]


def test_an_invalid_upload_is_422_and_leaves_no_case_behind(client, east):
    version, _ = east
    user = UserFactory()
    files = [
        {"standard_code": "M-居民身份证", "name": "身份证.pdf", "content_base64": b64(pdf_bytes())},
        {"standard_code": "M-经营场所证明", "name": "合同.pdf", "content_base64": b64(b"MZ\x90\x00 not a pdf at all")},
    ]

    response = apply(client, version, user, files=files)

    problem = assert_problem(response, 422, "upload_type_refused")
    assert "合同.pdf" in problem["detail"]
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_content_that_is_not_base64_is_refused_before_anything_is_written(client, east):
    version, _ = east
    files = [{"standard_code": "M-居民身份证", "name": "身份证.pdf", "content_base64": "这不是Base64!"}]
    assert_problem(apply(client, version, files=files), 422, "upload_base64_invalid")
    assert not Case.objects.exists()


def test_missing_materials_are_listed_at_once(client, east):
    version, _ = east
    problem = assert_problem(apply(client, version, files=[]), 422, "materials_missing")
    assert problem["problems"] == ["请提交“居民身份证”。", "请提交“经营场所证明”。"]
    assert not Case.objects.exists()


def test_anonymous_callers_get_401(client, east):
    assert_problem(client.get("/api/v1/cases"), 401, "unauthenticated")


def test_staff_list_a_queue_and_see_their_queue_counts(client, east):
    version, crew = east
    for _ in range(3):
        apply(client, version)
    client.force_login(crew.accept)

    page = client.get("/api/v1/cases", {"queue": "accept"}).json()
    queues = {row["code"]: row for row in client.get("/api/v1/cases/queues").json()}

    assert page["count"] == 3 and {row["status"] for row in page["items"]} == {"received"}
    assert queues["accept"]["count"] == 3 and queues["accept"]["mine"]
    assert_problem(client.get("/api/v1/cases", {"queue": "nonsense"}), 404, "queue_not_found")
    client.force_login(UserFactory())
    assert_problem(client.get("/api/v1/cases/queues"), 404, "staff_only")


def test_lists_make_a_constant_number_of_queries(client, east):
    version, crew = east
    user = UserFactory()

    def queries(reader, params) -> int:
        client.force_login(reader)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/cases", params).status_code == 200
        return len(captured)

    apply(client, version, user)
    few = (queries(user, {}), queries(crew.accept, {"queue": "accept"}), queries(crew.accept, {"q": ""}))
    for _ in range(4):
        apply(client, version, user)
    many = (queries(user, {}), queries(crew.accept, {"queue": "accept"}), queries(crew.accept, {"q": ""}))
    assert few == many


def test_the_detail_of_a_case_in_correction_offers_the_applicant_the_answer(client, east):
    version, crew = east
    user = UserFactory()
    body = applied(client, version, user)
    items = [{"material_id": body["materials"][0]["id"], "reason": "照片模糊"}]
    act(client, crew.accept, body["number"], "request_correction", body["revision"], items=items)

    client.force_login(user)
    body = client.get(f"/api/v1/cases/{body['number']}").json()
    assert set(body["acts"]) == {"answer_correction", "withdraw"}
    assert body["clock_detail"]["state"] == ""  # not yet accepted: the clock has not started
    client.force_login(crew.review)
    assert client.get(f"/api/v1/cases/{body['number']}").json()["acts"] == []


def test_a_clerk_claims_and_releases_a_case(client, east):
    version, crew = east
    body = applied(client, version)

    claimed = act(client, crew.accept, body["number"], "claim", body["revision"]).json()
    assert claimed["claimed"] and "release" in claimed["acts"]
    other = officer(crew.department, "accept")
    client.force_login(other)
    assert "accept" not in client.get(f"/api/v1/cases/{body['number']}").json()["acts"]
    assert_problem(act(client, other, body["number"], "accept", body["revision"]), 409, "case_claimed")
    released = act(client, crew.accept, body["number"], "release", body["revision"]).json()
    assert not released["claimed"]


def test_the_mobile_app_confirms_the_conditions_of_an_item_that_has_them(client):
    department = DepartmentFactory(region=region_tree()["341902000000"])
    version = case_item(department, conditions="申请人具有完全民事行为能力，经营场所符合要求。")
    user = UserFactory()

    refused = apply(client, version, user, channel="mobile")
    assert_problem(refused, 422, "eligibility_unconfirmed")
    assert not Case.objects.exists() and not CaseFile.objects.exists()

    accepted = apply(client, version, user, channel="mobile", conditions_confirmed=True)
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["channel"] == "mobile" and Case.objects.get().eligibility["confirmed"] is True


def test_a_file_over_the_limit_is_refused_in_the_same_words_as_a_form_upload(client, settings, east):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = settings.TONGBAN_UPLOAD_MAX_BYTES * 4 // 3 + 64 * 1024
    version, _ = east
    big = pdf_bytes() + b"%" * (1024 * 1024)  # a PDF padded past the limit
    files = [{"standard_code": "M-居民身份证", "name": "身份证.pdf", "content_base64": b64(big)}]
    answer = apply(client, version, files=files)
    assert answer.status_code == 422 and answer.json()["code"] == "upload_too_large"
    assert "超过1 MB的上限" in answer.json()["detail"]


def test_a_body_past_the_api_limit_is_a_chinese_problem(client, settings, east):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    version, _ = east
    files = [{"standard_code": "M-居民身份证", "name": "身份证.pdf", "content_base64": b64(b"%" * 400_000)}]
    answer = apply(client, version, files=files)
    assert answer.status_code == 413 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "request_too_large" and "MB" in answer.json()["detail"]


def apply_multipart(client, version, user=None, files=None, **overrides):
    """Apply as multipart/form-data: the application as a JSON part, the files as they are."""
    user = user or UserFactory()
    client.force_login(user)
    body = application(version, user, **overrides)
    if files is None:
        files = [("M-居民身份证", "身份证.pdf", pdf_bytes()), ("M-经营场所证明", "租赁合同.png", png_bytes())]
    body.pop("files")
    body.setdefault("file_codes", [code for code, _, _ in files])
    uploads = [SimpleUploadedFile(name, content) for _, name, content in files]
    return client.post("/api/v1/cases/multipart", {"application": json.dumps(body), "files": uploads})


def test_a_multipart_application_is_filed_like_a_json_one_without_base64(client, east):
    version, _ = east
    user = UserFactory()

    response = apply_multipart(client, version, user)

    assert response.status_code == 201, response.content
    assert response["Location"] == f"/api/v1/cases/{response.json()['number']}"
    body = client.get(response["Location"]).json()
    provided = {m["name"]: [f["name"] for f in m["files"]] for m in body["materials"]}
    assert provided == {"居民身份证": ["身份证.pdf"], "经营场所证明": ["租赁合同.png"]}
    stored = CaseFile.objects.get(original_name="租赁合同.png")
    assert stored.sha256 == hashlib.sha256(png_bytes()).hexdigest()


def test_a_multipart_file_over_the_limit_is_refused_in_the_words_of_a_form_upload(client, settings, east):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1024 * 1024
    version, _ = east
    big = pdf_bytes() + b"%" * (1024 * 1024)  # past the limit, though far below the JSON body limit
    files = [("M-居民身份证", "身份证.pdf", big), ("M-经营场所证明", "租赁合同.png", png_bytes())]
    problem = assert_problem(apply_multipart(client, version, files=files), 422, "upload_too_large")
    assert "身份证.pdf" in problem["detail"] and "超过1 MB的上限" in problem["detail"]
    assert not Case.objects.exists() and not CaseFile.objects.exists()


@pytest.mark.parametrize(
    ("application_part", "status", "code"),
    [
        ("这不是JSON", 400, "bad_request"),
        ('{"answers": {}}', 400, "bad_request"),  # no item_id
        (None, 400, "bad_request"),  # no application part at all
    ],
)
def test_a_malformed_multipart_application_is_a_400_problem(client, east, application_part, status, code):
    client.force_login(UserFactory())
    body = {} if application_part is None else {"application": application_part}
    assert_problem(client.post("/api/v1/cases/multipart", body), status, code)
    assert not Case.objects.exists()


def test_each_multipart_file_must_name_its_material(client, east):
    version, _ = east
    problem = assert_problem(apply_multipart(client, version, file_codes=["M-居民身份证"]), 422, "file_codes_mismatch")
    assert problem["field"] == "file_codes"
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_a_nul_inside_the_multipart_application_is_refused_before_anything_is_written(client, east):
    version, _ = east
    response = apply_multipart(client, version, answers={**ANSWERS, "address": "人民路\u00001号"})
    assert_problem(response, 400, "nul_character")
    assert not Case.objects.exists()
