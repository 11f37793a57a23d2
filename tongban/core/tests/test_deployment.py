"""A production process refuses to start with an unsafe setting; the embedded mode starts as ever."""

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from tongban.core.deployment import deployment_problems, deployment_refuse

SAFE_KEY = "k" * 64


@pytest.fixture
def production(settings):
    settings.TONGBAN_PRODUCTION = True
    settings.SECRET_KEY = SAFE_KEY
    settings.DEBUG = False
    settings.TONGBAN_LOCAL_DIVISIONS = []
    settings.TONGBAN_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn"
    return settings


def test_a_safe_production_configuration_starts(production):
    assert deployment_problems() == []
    deployment_refuse()


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("SECRET_KEY", None, "SECRET_KEY"),  # the embedded key
        ("SECRET_KEY", "short", "SECRET_KEY"),
        ("DEBUG", True, "DEBUG"),
        ("TONGBAN_LOCAL_DIVISIONS", ["3419"], "3419"),
        ("TONGBAN_PUBLIC_BASE_URL", "http://localhost:8000", "TONGBAN_PUBLIC_BASE_URL"),
        ("TONGBAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000/", "TONGBAN_PUBLIC_BASE_URL"),
        ("TONGBAN_PUBLIC_BASE_URL", "", "TONGBAN_PUBLIC_BASE_URL"),
    ],
)
def test_an_unsafe_setting_stops_production_naming_it(production, setting, value, says):
    setattr(production, setting, production.EMBEDDED_SECRET_KEY if value is None else value)
    with pytest.raises(ImproperlyConfigured, match=says):
        deployment_refuse()
    assert "tongban.E001" in {error.id for error in checks.run_checks(tags=[checks.Tags.security])}


def test_a_public_host_is_production_even_undeclared(settings):
    settings.TONGBAN_PRODUCTION = False
    settings.ALLOWED_HOSTS = ["zwfw.example.gov.cn"]
    assert any("SECRET_KEY" in problem for problem in deployment_problems())


def test_the_embedded_mode_on_this_machine_starts_with_its_defaults(settings):
    settings.TONGBAN_PRODUCTION = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert deployment_problems() == []


def test_every_outside_link_is_built_on_the_public_base_url(settings):
    from tongban.core.links import public_url

    settings.TONGBAN_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    assert public_url("/verify/c/2026/") == "https://zwfw.example.gov.cn/verify/c/2026/"
