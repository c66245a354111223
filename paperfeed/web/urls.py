"""Every HTML route: pages, members, search, digests and the RSS/Atom feeds.

/, /date/<day|week|month>/, /week/…, /month/…, /trending/, /papers/<id>/, /feeds/…;
auth under /accounts/, profiles under /u/, member actions on /papers/<id>/…; /search/;
/subscribe/, /unsubscribe/, /for-you/ (namespace "digests", which email links reverse).
/healthz and /metrics for machines.
The JSON API is the other door and mounts itself at /api/.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, reverse_lazy

from . import feeds
from .converters import register
from .views import accounts, digests, discussions, feedback, fieldmap, health, pages, search, thumbnails

register()

# Anything up to 40 characters reaches parse_period, which gives a clear 404 for bad dates.
_PERIOD = r"(?P<period>[^/]{1,40})"

digest_patterns = [
    path("subscribe/", digests.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", digests.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", digests.unsubscribe, name="unsubscribe"),
    path("for-you/", digests.for_you, name="for_you"),
    path("for-you/start/", feedback.onboarding, name="onboarding"),
    path("feedback/<str:token>/", feedback.feedback_link, name="feedback_link"),
]

urlpatterns = [
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/email/", accounts.email_address, name="email_address"),
    path("accounts/email/verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
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
    path("accounts/token/", accounts.issue_token, name="issue_token"),
    path("accounts/token/<int:pk>/revoke/", accounts.revoke_token, name="revoke_token"),
    path("accounts/collections/new/", accounts.collection_create, name="collection_create"),
    path("accounts/collections/<int:pk>/", accounts.collection_update, name="collection_update"),
    path("accounts/collections/<int:pk>/delete/", accounts.collection_delete, name="collection_delete"),
    path("u/<str:username>/", accounts.profile, name="profile"),
    path("u/<str:username>/c/<str:slug>/", accounts.collection_detail, name="collection"),
    path("papers/<arxiv:arxiv_id>/vote/", accounts.vote, name="vote"),
    path("papers/<arxiv:arxiv_id>/save/", accounts.save_paper, name="save_paper"),
    path("papers/<arxiv:arxiv_id>/feedback/", feedback.paper_feedback, name="paper_feedback"),
    path("submit/", accounts.submit, name="submit"),
    path("search/", search.search_page, name="search"),
    path("map/", fieldmap.field_map, name="field_map"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", health.metrics, name="metrics"),
    path("", include((digest_patterns, "digests"))),
    path("", pages.daily, name="home"),
    re_path(rf"^date/{_PERIOD}/$", pages.daily, name="daily"),
    re_path(rf"^week/{_PERIOD}/$", pages.daily, {"kind": "week"}, name="week"),
    re_path(rf"^month/{_PERIOD}/$", pages.daily, {"kind": "month"}, name="month"),
    path("trending/", pages.trending, name="trending"),
    path("papers/<arxiv:arxiv_id>/", pages.paper, name="paper"),
    path("papers/<arxiv:arxiv_id>.md", pages.paper_markdown, name="paper_markdown"),
    path("papers/<arxiv:arxiv_id>/thumbnail.webp", thumbnails.thumbnail, name="thumbnail"),
    path("papers/<arxiv:arxiv_id>/discussion/", discussions.discussion, name="discussion"),
    path("papers/<arxiv:arxiv_id>/discussion/<int:pk>/edit/", discussions.comment_edit, name="comment_edit"),
    path("papers/<arxiv:arxiv_id>/discussion/<int:pk>/delete/", discussions.comment_delete, name="comment_delete"),
    path("papers/<arxiv:arxiv_id>/discussion/<int:pk>/report/", discussions.comment_report, name="comment_report"),
    path("papers/<arxiv:arxiv_id>/discussion/<int:pk>/hide/", discussions.comment_hide, name="comment_hide"),
    path("papers/<arxiv:arxiv_id>/discussion.rss", feeds.DiscussionFeed(), name="feed_discussion"),
    path("papers/<arxiv:arxiv_id>/discussion.atom", feeds.atom(feeds.DiscussionFeed)(), name="feed_discussion_atom"),
    path("discussions/settings/", discussions.discussion_settings, name="discussion_settings"),
    path("feeds/daily.rss", feeds.DailyFeed(), name="feed_daily"),
    path("feeds/daily.atom", feeds.atom(feeds.DailyFeed)(), name="feed_daily_atom"),
    path("feeds/trending.rss", feeds.TrendingFeed(), name="feed_trending"),
    path("feeds/trending.atom", feeds.atom(feeds.TrendingFeed)(), name="feed_trending_atom"),
    path("feeds/category/<str:category>.rss", feeds.CategoryFeed(), name="feed_category"),
    path("feeds/category/<str:category>.atom", feeds.atom(feeds.CategoryFeed)(), name="feed_category_atom"),
    path("feeds/search.rss", feeds.SearchFeed(), name="feed_search"),
    path("feeds/search.atom", feeds.atom(feeds.SearchFeed)(), name="feed_search_atom"),
    path("u/<str:username>/c/<str:slug>.rss", feeds.CollectionFeed(), name="feed_collection"),
    path("u/<str:username>/c/<str:slug>.atom", feeds.atom(feeds.CollectionFeed)(), name="feed_collection_atom"),
]
