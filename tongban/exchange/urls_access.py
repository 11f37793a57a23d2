"""Workbench pages of the exchange."""

app_name = "exchange_access"
urlpatterns: list = []
