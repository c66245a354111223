"""Pages and feeds: /, /date/<day|week|month>/, /week/…, /month/…, /trending/, /papers/<id>/, /feeds/…"""

from django.urls import path, re_path

from . import feeds, views
from .converters import register

register()

# Anything up to 40 characters reaches parse_period, which gives a clear 404 for bad dates.
_PERIOD = r"(?P<period>[^/]{1,40})"

urlpatterns = [
    path("", views.daily, name="home"),
    re_path(rf"^date/{_PERIOD}/$", views.daily, name="daily"),
    re_path(rf"^week/{_PERIOD}/$", views.daily, {"kind": "week"}, name="week"),
    re_path(rf"^month/{_PERIOD}/$", views.daily, {"kind": "month"}, name="month"),
    path("trending/", views.trending, name="trending"),
    path("papers/<arxiv:arxiv_id>/", views.paper, name="paper"),
    path("papers/<arxiv:arxiv_id>.md", views.paper_markdown, name="paper_markdown"),
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
