# Extra keyword arguments: path("x/", view, {"key": value}).
from django.urls import include, path, re_path
from journey_views import json

inner_patterns = [
    path("", json(), name="inner"),
    path("<slug:lang>/", json(), {"lang": "fr"}, name="forced"),
]

urlpatterns = [
    path("page/", json(), {"page": "1"}, name="page"),
    path("page/<int:page>/", json(), name="page"),
    path("num/", json(), {"n": 2, "flag": True}, name="num"),
    path("kw/", json(), kwargs={"k": "v"}, name="kw"),
    path("over/<str:k>/", json(), {"k": "fixed"}, name="over"),
    re_path(r"^pos/([0-9]+)/$", json(), {"extra": "x"}, name="pos"),
    path("inc/", include(inner_patterns), {"from_include": "yes"}),
]
