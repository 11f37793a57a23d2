from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.accounts.reveal import reveal_basis_register
        from tongban.cases import handlers  # noqa: F401  (subscribes the listeners)
        from tongban.cases.selectors import case_concerning_person

        # A case in the viewer's scope about a person is grounds to see their full ID number.
        reveal_basis_register("case", label="所办的办件", reference_label="办件编号", check=case_concerning_person)
