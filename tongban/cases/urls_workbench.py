"""Staff pages: queues, the case page and its acts, window acceptance, agent filing (mounted at
/workbench/cases/)."""

app_name = "caseswork"
urlpatterns: list = []
