"""The settings a production process refuses to start with (wsgi.py, `tongban serve`, and
`manage.py check`): the embedded SECRET_KEY, DEBUG, a public base URL naming this machine, and the
demo city's division codes."""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
DEMO_DIVISIONS = ["3419"]


def in_production() -> bool:
    """Declared (TONGBAN_PRODUCTION), or serving a host beyond this machine."""
    return settings.TONGBAN_PRODUCTION or bool(set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS)


def deployment_problems() -> list[str]:
    if not in_production():
        return []
    problems = []
    if settings.SECRET_KEY == settings.EMBEDDED_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        problems.append(
            "SECRET_KEY 仍是内置的演示值或过短：请设置至少50个字符的随机值（如 `openssl rand -base64 48`）。"
        )
    if settings.DEBUG:
        problems.append("DEBUG 已开启：生产环境会因此泄露代码与配置，请去掉 DEBUG 环境变量。")
    if urlsplit(settings.TONGBAN_PUBLIC_BASE_URL).hostname in LOCAL_HOSTS | {None}:
        problems.append(
            "TONGBAN_PUBLIC_BASE_URL 仍指向本机：请设为市民访问本平台的地址（如 https://zwfw.example.gov.cn），"
            "文书上的二维码和核验链接都以它开头。"
        )
    if settings.TONGBAN_LOCAL_DIVISIONS == DEMO_DIVISIONS:
        problems.append(
            "TONGBAN_LOCAL_DIVISIONS 仍是演示城市的代码 3419：请设为空，或本市尚未列入 GB/T 2260 的区划代码前缀。"
        )
    return problems


def deployment_refuse() -> None:
    """Stop the process, naming every unsafe setting at once."""
    problems = deployment_problems()
    if problems:
        raise ImproperlyConfigured("生产环境的配置不安全，拒绝启动：\n" + "\n".join(f"- {p}" for p in problems))


@checks.register(checks.Tags.security, deploy=False)
def deployment_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(problem, id="tongban.E001") for problem in deployment_problems()]
