from django.urls import path

from . import views

app_name = "beds"
urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/<str:code>/", views.facility_page, name="facility"),
    path("facilities/<str:code>/report/", views.report_beds, name="report"),
    path("patients/<int:pk>/", views.patient_page, name="patient"),
    path("patients/<int:pk>/admit/", views.admit, name="admit"),
    path("patients/<int:pk>/discharge/", views.discharge, name="discharge"),
    path("patients/<int:pk>/triage/", views.triage, name="triage"),
    path("waiting/", views.waiting_page, name="waiting"),
    path("plans/", views.plans_page, name="plans"),
    path("plans/propose/", views.propose, name="propose"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("plans/<int:pk>/tasks/", views.tasks_page, name="tasks"),
    path("lines/<int:pk>/progress/", views.progress, name="progress"),
]
