"""The applicant's pages: apply, my cases, corrections, documents (mounted at /me/cases/)."""

from django.urls import path

from tongban.cases import views_portal as views

app_name = "mycases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("apply/<int:item_id>/", views.apply, name="apply"),
    path("drafts/<int:case_id>/", views.draft, name="draft"),
    path("drafts/<int:case_id>/save/", views.draft_save, name="draft_save"),
    path("drafts/<int:case_id>/files/", views.draft_file_add, name="draft_file_add"),
    path("drafts/<int:case_id>/review/", views.draft_review, name="draft_review"),
    path("drafts/<int:case_id>/submit/", views.draft_submit, name="draft_submit"),
    path("drafts/<int:case_id>/discard/", views.draft_discard, name="draft_discard"),
    path("files/<int:file_id>/", views.file_download, name="file"),
    path("files/<int:file_id>/remove/", views.file_remove, name="file_remove"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/status/", views.case_status, name="status"),
    path("<str:number>/files/", views.case_file_add, name="case_file_add"),
    path("<str:number>/correction/", views.correction_answer, name="correction_answer"),
    path("<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
]
