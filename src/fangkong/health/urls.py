from django.urls import path

from .views import cases, checkpoints, resident, rules, staff

app_name = "health"
urlpatterns = [
    path("health/", staff.staff_page, name="staff"),
    path("health/people/", staff.people_page, name="people"),
    path("health/alerts/", staff.alerts_page, name="alerts"),
    path("health/alerts/<int:pk>/close/", staff.alert_close, name="alert_close"),
    path("health/missing/<str:code>/", staff.missing_page, name="missing"),
    path("health/rules/", rules.rules_page, name="rules"),
    path("health/persons/<int:pk>/", staff.person_health, name="person"),
    path("health/persons/<int:pk>/observe/", staff.observe, name="observe"),
    path("health/observations/<int:pk>/", staff.observation_change, name="observation"),
    path("health/buildings/<int:pk>/qr/", resident.building_qr, name="building_qr"),
    path("health/buildings/<int:pk>/entry/", resident.quick_entry, name="quick_entry"),
    path("r/<str:token>/", resident.resident_page, name="resident"),
    path("health/cases/", cases.cases_page, name="cases"),
    path("health/cases/new/", cases.case_new, name="case_new"),
    path("health/cases/<int:pk>/", cases.case_page, name="case"),
    path("health/cases/<int:pk>/contacts/", cases.contact_new, name="contact_new"),
    path("health/cases/<int:pk>/close/", cases.case_close, name="case_close"),
    path("health/checkpoints/", checkpoints.checkpoints_page, name="checkpoints"),
    path("health/checkpoints/<int:pk>/", checkpoints.checkpoint_page, name="checkpoint"),
]
