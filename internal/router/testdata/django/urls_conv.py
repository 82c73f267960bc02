# Every converter and its edges; literal text Django must quote.
from django.urls import include, path, re_path
from journey_views import json, template

urlpatterns = [
    path("", template("home"), name="home"),
    path("int/<int:n>/", json(), name="int"),
    path("str/<str:s>/", json(), name="str"),
    path("default/<s>/", json(), name="default"),
    path("slug/<slug:s>/", json(), name="slug"),
    path("uuid/<uuid:u>/", json(), name="uuid"),
    path("path/<path:p>", json(), name="path"),
    path("path2/<path:p>/end/", json(), name="path2"),
    path("two/<int:a>-<int:b>/", json(), name="two"),
    path("mix/<slug:s>/<int:n>/", json(), name="mix"),
    path("noslash", json(), name="noslash"),
    path("café/", template("café"), name="cafe"),
    path("with space/", json(), name="space"),
    path("année/<int:année>/", json(), name="annee"),
    path("dup/<int:n>/", json(), name="dup"),
    path("dup/<slug:s>/", json(), name="dup"),
    path("empty/<str:s>", json()),
    path("a+b/", json(), name="plus"),
    path("lit,;!*()'/<str:s>/", json(), name="subdelims"),
    path("q?<str:s>/", json(), name="question"),
]
