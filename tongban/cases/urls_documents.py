"""A case's documents as PDF, for its applicant side and for staff in scope (mounted at
/documents/cases/)."""

from django.urls import path

from tongban.cases import views_documents

app_name = "casedocs"
urlpatterns = [
    path("<int:case_id>/<slug:kind>.pdf", views_documents.case_document_pdf, name="pdf"),
]
