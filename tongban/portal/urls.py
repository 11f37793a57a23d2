from django.urls import path

from tongban.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.profile, name="profile"),
    path("me/legal-persons/bind/", views.legal_person_bind, name="legal_person_bind"),
    path("me/mandates/<int:mandate_id>/<str:act>/", views.mandate_act, name="mandate_act"),
    path("prefs/text-size/", views.text_size, name="text_size"),
]
