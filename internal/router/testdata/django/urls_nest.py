# Deeper nesting: empty prefixes, three levels, two instances of one app,
# an include() regex ending in $, and names shadowed across levels.
from django.urls import include, path, re_path
from journey_views import json, template

leaf_patterns = [
    path("", json(), name="leaf"),
    path("<int:n>/", json(), name="leafn"),
    re_path(r"^(?P<n>[0-9]+)-(?P<m>[0-9]+)/$", json(), name="leafnm"),
]

mid_patterns = [
    path("", include((leaf_patterns, "leaf"))),
    path("m/<slug:s>/", include((leaf_patterns, "leaf"), namespace="leaf2")),
    path("x/", json(), name="midx"),
]

top_patterns = [
    path("t/<int:t>/", include((mid_patterns, "mid"))),
    path("", include(mid_patterns)),
]

app_patterns = [
    path("", json(), name="index"),
    path("<int:pk>/", json(), name="detail"),
]

urlpatterns = [
    path("", include(top_patterns)),
    path("a/", include((app_patterns, "shop"), namespace="shop-a")),
    path("b/", include((app_patterns, "shop"), namespace="shop-b")),
    re_path(r"^dollar/$", include(app_patterns)),
    path("<int:n>/", json(), name="leafn"),
]
