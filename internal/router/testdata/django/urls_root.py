# A catch-all <path:> at the root: reverse() must never build //host.
from django.urls import path
from journey_views import json

urlpatterns = [
    path("", json(), name="home"),
    path("<path:rest>", json(), name="catchall"),
]
