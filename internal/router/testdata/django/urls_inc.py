# Nested include() with captured prefixes and namespaces.
from django.urls import include, path, re_path
from journey_views import json, redirect, template

post_patterns = [
    path("", json(), name="detail"),
    path("edit/", json(), name="edit"),
]

blog_patterns = [
    path("", template("index"), name="index"),
    path("<slug:slug>/", include((post_patterns, "post"))),
    path("<int:pk>/comments/", json(), name="comments"),
]

user_patterns = [
    path("", json(), name="profile"),
    path("posts/<int:n>/", json(), name="post"),
    path("<int:uid>/override/", json(), name="override"),
]

plain_patterns = [
    path("about/", json(), name="about"),
    re_path(r"^p/([0-9]+)/$", json(), name="ppos"),
    re_path(r"^k/(?P<k>[0-9]+)/$", json(), name="pkw"),
]

empty_patterns = []

urlpatterns = [
    path("blog/", include((blog_patterns, "blog"))),
    path("b2/", include((blog_patterns, "blog"), namespace="blog2")),
    path("u/<int:uid>/", include((user_patterns, "users"))),
    re_path(r"^r/([0-9]+)/", include(plain_patterns)),
    re_path(r"^rn/(?P<rid>[0-9]+)/", include(plain_patterns)),
    path("plain/", include(plain_patterns)),
    path("nothing/", include(empty_patterns)),
    path("dupe/", json(), name="about"),
    path("go/", redirect("blog:index"), name="go"),
]
