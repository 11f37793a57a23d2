"""Workbench pages of the data-resource catalogue (/workbench/exchange/)."""

from django.urls import path

from tongban.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.catalogue_list, name="catalogue_list"),
    path("export/", views.catalogue_export, name="catalogue_export"),
    path("resources/<str:code>/", views.resource_detail, name="resource_detail"),
    path("resources/<str:code>/publication/", views.resource_publication, name="resource_publication"),
    path("resources/<str:code>/imports/", views.resource_imports, name="resource_imports"),
    path("imports/<int:batch_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/rejected.csv", views.import_report, name="import_report"),
]
