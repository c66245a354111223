from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.daily, name="home"),
    re_path(r"^date/(?P<period>[0-9]{4}-(?:W?[0-9]{1,2})(?:-[0-9]{2})?)/$", views.daily, name="daily"),
    re_path(r"^papers/(?P<arxiv_id>[A-Za-z.-]+/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?/$", views.paper, name="paper"),
]
