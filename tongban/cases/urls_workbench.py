"""Staff pages: queues, the case page and its acts, window acceptance, agent filing (mounted at
/workbench/cases/)."""

from django.urls import path

from tongban.cases import views_workbench as views

app_name = "caseswork"
urlpatterns = [
    path("", views.queue_list, name="queue_list"),
    path("find/", views.case_find, name="case_find"),
    path("recomputations/<int:job_id>/", views.recomputation_progress, name="recomputation"),
    path("bulk-accept/", views.queue_bulk_accept, name="queue_bulk_accept"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/claim/", views.case_claim, name="case_claim"),
    path("<int:case_id>/release/", views.case_release, name="case_release"),
    path("<int:case_id>/act/<slug:act>/", views.case_act, name="case_act"),
    path("<int:case_id>/receipt/", views.receipt, name="receipt"),
    path("files/<int:file_id>/", views.case_file, name="case_file"),
    path("window/", views.window_start, name="window_start"),
    path("agent/", views.agent_start, name="agent_start"),
    path("agent/consent/", views.agent_consent, name="agent_consent"),
    path("filing/<int:case_id>/", views.filing, name="filing"),
]
