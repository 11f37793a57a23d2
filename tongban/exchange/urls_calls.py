"""Workbench pages of the exchange."""

app_name = "exchange_calls"
urlpatterns: list = []
