"""Public pages without log-in: a case's verification page opened from a notice's QR code
(mounted at /verify/)."""

app_name = "verify"
urlpatterns: list = []
