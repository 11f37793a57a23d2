from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "基础（日历与审计）"

    def ready(self) -> None:
        from tongban.core import deployment  # noqa: F401 - registers the deployment check
