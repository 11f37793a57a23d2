"""Portal pages of the exchange (/me/data/): who looked at my data."""

from django.urls import path

from tongban.exchange import views_portal as views

app_name = "mydata"
urlpatterns = [
    path("", views.my_data, name="index"),
]
