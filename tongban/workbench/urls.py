from django.urls import path

from tongban.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("second-factor/", views.second_factor_page, name="second_factor"),
    path("departments/", views.department_list, name="department_list"),
]
