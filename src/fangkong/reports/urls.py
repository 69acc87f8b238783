from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily_page, name="daily"),
    path("daily/issue/", views.issue, name="issue"),
    path("daily/export.xlsx", views.export, name="export"),
    path("daily/export.docx", views.export_docx, name="export_docx"),
    path("daily/export.pdf", views.export_pdf, name="export_pdf"),
]
