from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from tongban.notifications import handlers  # noqa: F401  (subscribes the listeners)
