"""Staff pages: queues, the case page and its acts, window acceptance, agent filing (mounted at
/workbench/cases/)."""

from django.urls import path

from tongban.cases.views_workbench import agent, case, desk, queues

app_name = "caseswork"
urlpatterns = [
    path("", queues.queue_list, name="queue_list"),
    path("find/", case.case_find, name="case_find"),
    path("recomputations/<int:job_id>/", queues.recomputation_progress, name="recomputation"),
    path("bulk-accept/", queues.queue_bulk_accept, name="queue_bulk_accept"),
    path("<int:case_id>/", case.case_detail, name="case_detail"),
    path("<int:case_id>/claim/", queues.case_claim, name="case_claim"),
    path("<int:case_id>/release/", queues.case_release, name="case_release"),
    path("<int:case_id>/act/<slug:act>/", case.case_act, name="case_act"),
    path("<int:case_id>/receipt/", desk.receipt, name="receipt"),
    path("files/<int:file_id>/", case.case_file, name="case_file"),
    path("window/", desk.window_start, name="window_start"),
    path("agent/", agent.agent_start, name="agent_start"),
    path("agent/consent/", agent.agent_consent, name="agent_consent"),
    path("filing/<int:case_id>/", desk.filing, name="filing"),
]
