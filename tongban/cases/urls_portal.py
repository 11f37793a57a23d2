"""The applicant's pages: apply, my cases, corrections, documents (mounted at /me/cases/)."""

app_name = "mycases"
urlpatterns: list = []
