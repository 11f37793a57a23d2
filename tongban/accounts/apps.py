from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    label = "accounts"
    verbose_name = "用户与身份"

    def ready(self) -> None:
        from tongban.accounts import selectors
        from tongban.core.scope import scope_source_register

        scope_source_register(selectors.staff_scope)
