"""Public pages without log-in: a case's verification page opened from a notice's QR code
(mounted at /verify/)."""

from django.urls import path

from tongban.cases import views_public

app_name = "verify"
urlpatterns = [
    path("cases/<str:number>/<str:token>/", views_public.case_verify, name="case"),
]
