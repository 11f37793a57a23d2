from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        # listeners; 免提交 from the library; issuance when a case completes
        from tongban.exchange import services as exchange
        from tongban.licences import handlers, issuance, resolvers, selectors, wallet  # noqa: F401

        # The exchange serves the library's records (by identifier or by holder) to its callers.
        exchange.record_source_register(wallet.LIBRARY, selectors.licence_records)
