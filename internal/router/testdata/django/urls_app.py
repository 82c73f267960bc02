# An app's own urls.py, used as the site's: Django ignores its app_name.
from django.urls import path
from journey_views import json

app_name = "polls"
urlpatterns = [
    path("", json(), name="index"),
    path("<int:question_id>/", json(), name="detail"),
]
