"""Member routes: auth under /accounts/, profiles under /u/, actions on /papers/<id>/…"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from paperfeed.feeds.converters import register

from . import views

register()

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/token/", views.issue_token, name="issue_token"),
    path("accounts/token/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("accounts/collections/new/", views.collection_create, name="collection_create"),
    path("accounts/collections/<int:pk>/", views.collection_update, name="collection_update"),
    path("accounts/collections/<int:pk>/delete/", views.collection_delete, name="collection_delete"),
    path("u/<str:username>/", views.profile, name="profile"),
    path("u/<str:username>/c/<str:slug>/", views.collection_detail, name="collection"),
    path("papers/<arxiv:arxiv_id>/vote/", views.vote, name="vote"),
    path("papers/<arxiv:arxiv_id>/save/", views.save_paper, name="save_paper"),
    path("submit/", views.submit, name="submit"),
]
