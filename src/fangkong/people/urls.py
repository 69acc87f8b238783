from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_page, name="region"),
    path("buildings/<int:pk>/", views.building_page, name="building"),
    path("households/<int:pk>/", views.household_page, name="household"),
    path("people/", views.search_page, name="search"),
    path("people/export.csv", views.export_csv, name="export"),
    path("people/new/", views.person_new, name="new"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="reveal"),
]
