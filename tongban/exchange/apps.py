from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "数据共享交换"
