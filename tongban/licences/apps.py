from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        # listeners; 免提交 from the library; issuance when a case completes
        from tongban.licences import handlers, issuance, resolvers  # noqa: F401
