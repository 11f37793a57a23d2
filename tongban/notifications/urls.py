from django.urls import path

from tongban.notifications import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="index"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("read-all/", views.notifications_read_all, name="read_all"),
]
