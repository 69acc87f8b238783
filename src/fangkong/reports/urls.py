from django.urls import path

from . import dashboard_views, views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily_page, name="daily"),
    path("daily/issue/", views.issue, name="issue"),
    path("daily/export.xlsx", views.export, name="export"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/figures/", dashboard_views.dashboard_figures, name="dashboard_figures"),
    path("daily/export.docx", views.export_docx, name="export_docx"),
    path("daily/export.pdf", views.export_pdf, name="export_pdf"),
]
