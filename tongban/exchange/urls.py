"""Workbench pages of the exchange (/workbench/exchange/)."""

app_name = "exchange"
urlpatterns: list = []
