from django.urls import path

from . import views

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
]
