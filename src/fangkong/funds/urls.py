from django.urls import path

from . import labour_views, views

app_name = "funds"
urlpatterns = [
    path("", views.home, name="home"),
    path("funds/new/", views.add_fund, name="add_fund"),
    path("funds/<str:code>/", views.fund_page, name="fund"),
    path("funds/<str:code>/pay/", views.add_payment, name="add_payment"),
    path("policies/new/", views.save_policy, name="save_policy"),
    path("policies/<str:code>/", views.policy_page, name="policy"),
    path("policies/<str:code>/upload/", views.upload, name="upload"),
    path("policies/<str:code>/payfile/", views.payfile, name="payfile"),
    path("rosters/<int:pk>/", views.roster_page, name="roster"),
    path("rosters/<int:pk>/rejects/", views.roster_rejects, name="roster_rejects"),
    path("rosters/<int:pk>/approve/", views.approve, name="approve"),
    path("rosters/<int:pk>/return/", views.return_roster, name="return"),
    path("batches/<int:pk>/file.xlsx", views.batch_file, name="batch_file"),
    path("batches/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("payees/<int:pk>/pay-again/", views.pay_again, name="pay_again"),
    path("labour/", labour_views.labour, name="labour"),
    path("labour/register/", labour_views.register, name="labour_register"),
    path("labour/enterprises/new/", labour_views.add_enterprise, name="enterprise_add"),
    path("labour/enterprises/<int:pk>/report/", labour_views.resumption, name="resumption"),
    path("labour/enterprises/<int:pk>/openings/", labour_views.add_opening, name="opening_add"),
    path("labour/returnees/<int:pk>/intention/", labour_views.intention, name="intention"),
    path("labour/returnees/<int:pk>/place/", labour_views.place, name="place"),
]
