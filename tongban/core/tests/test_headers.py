"""Headers and cookies: a strict Content-Security-Policy on every page (no inline script or style
anywhere in the templates), HSTS and Secure cookies when served over HTTPS."""

import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings

from tongban.accounts.tests.factories import UserFactory
from tongban.cases.tests.factories import officer
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# Rendered to PDF by WeasyPrint on the server, never served as a page.
PDF_ONLY = "cases/templates/cases/documents/"
INLINE = re.compile(r"""<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>|\son[a-z]+=|\sstyle=""", re.I)


def test_no_template_holds_inline_script_handlers_or_style():
    root = Path(settings.BASE_DIR) / "tongban"
    found = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("templates/**/*.html")
        if PDF_ONLY not in str(path)
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize("path", ["/", "/login/", "/services/", "/admin/login/", "/api/v1/docs"])
def test_every_page_carries_a_policy_without_inline_script(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_signed_in_pages_carry_it_too(client):
    client.force_login(officer(DepartmentFactory(), "review"))
    assert "script-src 'self'" in client.get("/workbench/")["Content-Security-Policy"]
    client.force_login(UserFactory())
    assert "script-src 'self'" in client.get("/me/cases/")["Content-Security-Policy"]


def _settings_with(monkeypatch, **environment) -> dict:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "tongban" / "config" / "settings.py"))


def test_https_turns_on_hsts_and_secure_cookies(monkeypatch):
    served = _settings_with(monkeypatch, TONGBAN_HTTPS="true")
    assert served["SECURE_HSTS_SECONDS"] >= 31536000
    assert served["SESSION_COOKIE_SECURE"] and served["CSRF_COOKIE_SECURE"]


def test_plain_http_on_this_machine_sends_no_hsts(monkeypatch):
    monkeypatch.delenv("TONGBAN_SECURE_COOKIES", raising=False)
    served = _settings_with(monkeypatch, TONGBAN_HTTPS="false")
    assert served["SECURE_HSTS_SECONDS"] == 0 and not served["SESSION_COOKIE_SECURE"]
