"""Chinese by default, English on request: the switcher, the pages in English, and a catalogue with
every entry translated and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tongban.accounts.tests.factories import PASSWORD, PersonFactory, UserFactory, staff_in

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_home_page_is_chinese_by_default_and_offers_english(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN"' in page and "首页" in page and "一网通办" in page
    assert 'name="language" value="en"' in page and ">English</button>" in page


def test_choosing_english_switches_the_pages_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/").content.decode()
    assert '<html lang="en"' in page and ">Home</a>" in page and "Log in" in page and "首页" not in page
    assert 'name="language" value="zh-hans"' in page and ">中文</button>" in page

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-CN"' in client.get("/").content.decode()


def test_the_switcher_stays_on_the_current_page(client):
    page = client.get("/signup/?x=1").content.decode()
    assert re.search(r'action="/i18n/setlang/".*?name="next" value="/signup/\?x=1"', page, re.S)


def test_the_login_page_in_english_has_english_labels(english):
    page = english.get("/login/").content.decode()
    assert '<html lang="en"' in page and "<h1>Log in</h1>" in page and "Account" in page and "Password" in page
    assert "账号" not in page


def test_form_errors_and_messages_follow_the_language(english):
    response = english.post("/signup/", {"password": PASSWORD, "password_again": PASSWORD + "x"})
    assert "The two passwords do not match." in response.content.decode()
    english.force_login(UserFactory())
    page = english.post("/logout/", follow=True).content.decode()
    assert "You have logged out safely." in page


def test_the_workbench_in_english(english):
    clerk = staff_in("341902000000", "window")
    english.force_login(clerk.user)
    page = english.get("/workbench/").content.decode()
    assert '<html lang="en"' in page and "Tongban Workbench" in page and f"Hello, {clerk.user.display_name}" in page
    assert "My data scope" in page and "Natural persons in scope" in page and "我的数据范围" not in page


def test_the_person_count_uses_english_plurals(english):
    english.force_login(staff_in("341902000000", "window").user)
    PersonFactory()
    assert "1 person, page 1 of 1" in english.get("/workbench/persons/").content.decode()
    PersonFactory()
    assert "2 people, page 1 of 1" in english.get("/workbench/persons/").content.decode()


def test_the_service_guide_in_english(english):
    page = english.get("/services/").content.decode()
    assert '<html lang="en"' in page and "<h1>Service guide</h1>" in page and ">Search services</label>" in page
    assert "All departments" in page and "No services match these filters." in page
    assert "办事指南" not in page and "搜索事项" not in page


def _po_entries(path: Path) -> list[dict]:
    """A small .po reader: each entry's flags and its msgid / msgid_plural / msgstr[n] texts."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, text = line.split(" ", 1)
                entry[key] = ast.literal_eval(text)
        entries.append(entry)
    return entries


def test_every_catalogue_entry_is_translated_and_compiled():
    header, *entries = _po_entries(CATALOGUE / "django.po")
    assert header["msgid"] == "" and "fuzzy" not in header["flags"] and "Language: en" in header["msgstr"]
    assert len(entries) > 100
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in entries:
        msgid = entry["msgid"]
        assert "fuzzy" not in entry["flags"], msgid
        if "msgid_plural" in entry:
            forms = [entry["msgstr[0]"], entry["msgstr[1]"]]
            assert [mo.ngettext(msgid, entry["msgid_plural"], n) for n in (1, 2)] == forms, msgid
        else:
            forms = [entry["msgstr"]]
            assert mo.gettext(msgid) == forms[0], f"django.mo is stale for {msgid!r}: run compilemessages"
        for form in forms:
            assert form.strip(), f"untranslated: {msgid!r}"
            assert not re.search(r"[\u4e00-\u9fff]", form.replace("组织机构 › 服务大厅", ""))
            assert set(re.findall(r"%\(\w+\)s", form)) == set(re.findall(r"%\(\w+\)s", msgid)), msgid


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in page
