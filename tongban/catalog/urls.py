from django.urls import path

from tongban.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.guide_index, name="guide_index"),
    path("<int:item_id>/", views.guide_detail, name="guide_detail"),
]
