"""Staff pages of the licence library (mounted at /workbench/licences/)."""

from django.urls import path

from tongban.licences import views, views_imports, views_wallet

app_name = "licwork"
urlpatterns = [
    path("", views.licence_list, name="list"),
    path("types/", views.licence_type_list, name="types"),
    path("imports/", views_imports.import_list, name="imports"),
    path("imports/template/", views_imports.import_template, name="import_template"),
    path("imports/<int:batch_id>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/rejections.csv", views_imports.import_rejections, name="import_rejections"),
    path("shared/", views_wallet.shared_list, name="shared"),
    path("shared/<int:authorisation_id>/", views_wallet.shared_detail, name="shared_detail"),
    path("shared/<int:authorisation_id>/pdf/", views_wallet.shared_pdf, name="shared_pdf"),
    path("<int:licence_id>/", views.licence_detail, name="detail"),
    path("<int:licence_id>/act/", views.licence_act, name="act"),
    path("<int:licence_id>/pdf/", views.licence_pdf, name="pdf"),
    path("<int:licence_id>/document/", views.licence_document, name="document"),
]
