"""Workbench pages of access governance (/workbench/exchange/access/)."""

from django.urls import path

from tongban.exchange import views_access as views

app_name = "exchange_access"
urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("requests/<int:request_id>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:request_id>/refuse/", views.request_refuse, name="request_refuse"),
    path("requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("inbox/", views.inbox, name="inbox"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/given/", views.grants_given, name="grants_given"),
    path("grants/<int:grant_id>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("systems/", views.system_list, name="system_list"),
    path("systems/register/", views.system_register, name="system_register"),
    path("systems/<int:system_id>/rotate/", views.key_rotate, name="key_rotate"),
    path("systems/<int:system_id>/deactivate/", views.system_deactivate, name="system_deactivate"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key_revoke"),
]
