from django.urls import path

from .views import ledger, picker
from .views import registry as views

app_name = "people"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_page, name="region"),
    path("buildings/<int:pk>/", views.building_page, name="building"),
    path("households/<int:pk>/", views.household_page, name="household"),
    path("people/", views.search_page, name="search"),
    path("people/export.csv", views.export_csv, name="export"),
    path("people/new/", views.person_new, name="new"),
    path("people/pick/", picker.pick, name="pick"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("ledger/import/", ledger.ledger_upload, name="ledger_upload"),
    path(
        "ledger/import/<uuid:upload_id>/progress/", ledger.ledger_progress, name="ledger_progress"
    ),
    path("ledger/import/<uuid:upload_id>/rejects/", ledger.ledger_rejects, name="ledger_rejects"),
    path("ledger/export.xlsx", ledger.ledger_export, name="ledger_export"),
    path("ledger/duplicates/", ledger.duplicates_page, name="duplicates"),
    path("ledger/duplicates/merge/", ledger.duplicates_merge, name="duplicates_merge"),
    path("ledger/duplicates/dismiss/", ledger.duplicates_dismiss, name="duplicates_dismiss"),
]
