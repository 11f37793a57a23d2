"""The holder's licences (mounted at /me/licences/)."""

from django.urls import path

from tongban.licences import views

app_name = "mylicences"
urlpatterns = [
    path("", views.my_licences, name="list"),
    path("<int:licence_id>/", views.my_licence, name="detail"),
    path("<int:licence_id>/pdf/", views.licence_pdf, name="pdf"),
]
