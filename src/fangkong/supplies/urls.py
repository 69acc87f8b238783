from django.urls import path

from . import views

app_name = "supplies"
urlpatterns = [
    path("", views.home, name="home"),
    path("points/<str:code>/", views.point_page, name="point"),
    path("points/<str:code>/receive/", views.movement_page, {"action": "receive"}, name="receive"),
    path("points/<str:code>/issue/", views.movement_page, {"action": "issue"}, name="issue"),
    path("points/<str:code>/count/", views.movement_page, {"action": "count"}, name="count"),
    path(
        "points/<str:code>/transfer/", views.movement_page, {"action": "transfer"}, name="transfer"
    ),
    path(
        "points/<str:code>/write-off/",
        views.movement_page,
        {"action": "write_off"},
        name="write_off",
    ),
    path("points/<str:code>/items/<int:item_id>/card.xlsx", views.stock_card, name="card"),
    path("transfers/<int:pk>/take-in/", views.take_in, name="take_in"),
    path("movements/<int:pk>/reverse/", views.reverse, name="reverse"),
    path("cover/", views.region_cover, name="cover"),
    path("output/", views.output, name="output"),
    path("daily/", views.daily, name="daily"),
    path("daily.xlsx", views.daily_xlsx, name="daily_xlsx"),
    path("donations/", views.donations, name="donations"),
    path("donations/<str:number>/", views.donation, name="donation"),
    path("points/<str:code>/donate/", views.donate, name="donate"),
    # the public page: no login (tests/supplies/test_donations_public.py)
    path("public/donations/", views.public_donations, name="public_donations"),
    path("public/donations/<str:number>/", views.public_donation, name="public_donation"),
    path("requisitions/", views.requisitions_page, name="requisitions"),
    path("requisitions/new/", views.requisition_new, name="requisition_new"),
    # a number from headquarters' list may hold "/": the actions come first
    path("requisitions/<path:number>/decide/", views.requisition_decide, name="requisition_decide"),
    path("requisitions/<path:number>/cancel/", views.requisition_cancel, name="requisition_cancel"),
    path("requisitions/<path:number>/", views.requisition_page, name="requisition"),
    path("rounds/", views.rounds_page, name="rounds"),
    path("rounds/run/", views.round_run, name="round_run"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/adjust/", views.round_adjust, name="round_adjust"),
]
