"""The holder's licences (mounted at /me/licences/)."""

from django.urls import path

from tongban.licences import views, views_wallet

app_name = "mylicences"
urlpatterns = [
    path("", views.my_licences, name="list"),
    path("<int:licence_id>/", views.my_licence, name="detail"),
    path("<int:licence_id>/pdf/", views.licence_pdf, name="pdf"),
    path("<int:licence_id>/document/", views.licence_document, name="document"),
    path("<int:licence_id>/authorisations/", views_wallet.my_licence_authorise, name="authorise"),
    path("authorisations/<int:authorisation_id>/revoke/", views_wallet.my_licence_authorisation_revoke, name="revoke"),
]
