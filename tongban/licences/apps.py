from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from tongban.licences import handlers, resolvers  # noqa: F401  (listeners; 免提交 from licences)
