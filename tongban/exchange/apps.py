from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "数据共享交换"

    def ready(self) -> None:
        from tongban.exchange import (
            handlers,  # noqa: F401  (subscribes the listeners)
            resolvers,  # noqa: F401
        )
