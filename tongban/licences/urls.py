"""Staff pages of the licence library (mounted at /workbench/licences/)."""

from django.urls import path

from tongban.licences import views

app_name = "licwork"
urlpatterns = [
    path("", views.licence_list, name="list"),
    path("types/", views.licence_type_list, name="types"),
    path("<int:licence_id>/", views.licence_detail, name="detail"),
    path("<int:licence_id>/act/", views.licence_act, name="act"),
    path("<int:licence_id>/pdf/", views.licence_pdf, name="pdf"),
]
