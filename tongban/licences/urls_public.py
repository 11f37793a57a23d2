"""Public verification of licences, without log-in (mounted at /verify/licences/)."""

from django.urls import path

from tongban.licences import views

app_name = "licverify"
urlpatterns = [path("<str:identifier>/", views.licence_verify, name="licence")]
