"""Staff pages of the call log and the exchange's statistics (/workbench/exchange/calls/)."""

from django.urls import path

from tongban.exchange import views_calls as views

app_name = "exchange_calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("person/", views.call_person_search, name="person_search"),
    path("statistics/", views.statistics, name="statistics"),
]
