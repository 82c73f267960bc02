# re_path(): named, unnamed and optional groups; Python's regex syntax.
from django.urls import include, path, re_path
from journey_views import json, template

urlpatterns = [
    re_path(r"^year/(?P<year>[0-9]{4})/$", json(), name="year"),
    re_path(r"^pos/([0-9]+)/([a-z]+)/$", json(), name="pos"),
    re_path(r"^opt/(?:page-(?P<page>[0-9]+)/)?$", json(), name="opt"),
    re_path(r"^optpos/([0-9]+)/(?:x-([a-z]+)/)?$", json(), name="optpos"),
    re_path(r"^mixed/(?P<a>[0-9]+)/([a-z]+)/$", json(), name="mixed"),
    re_path(r"end/$", json(), name="unanchored"),
    re_path(r"^noend/", json(), name="noend"),
    re_path(r"^digits/(\d+)/$", json(), name="digits"),
    re_path(r"^word/(\w+)/$", json(), name="word"),
    re_path(r"^dot/(.+)/$", json(), name="dot"),
    re_path(r"^esc/a\.b/$", json(), name="esc"),
    re_path(r"^alt/(?P<k>red|green)/$", json(), name="alt"),
    re_path(r"^bigz/(?P<z>[a-z]+)\Z", json(), name="bigz"),
    re_path(r"^upto/(?P<n>x{,3})/$", json(), name="upto"),
    re_path(r"^uni/(?P<s>\u00e9+)/$", json(), name="uni"),
    re_path(r"^(?P<année>[0-9]+)/an/$", json(), name="an"),
]
