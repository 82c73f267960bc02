# The lab's demo site: a Django urls.py that journey's router runs and that
# Django itself loads (with journey_views.py, from `journey lab urls --views`,
# next to it). Copy it, change it, and run:
#     journey --lab --urls urls.py www.example.com/...
#
# The view helpers, each a view Django can call:
#   template(text)            an HTML page; {{ name }} shows a captured value, escaped
#   json() / json('{"k": 1}') a JSON response with the captured values added
#   redirect("/url/")         a 302 to a URL ...
#   redirect("name", k="v")   ... or to reverse() of a pattern name
#   static("logo.png")        a file from this file's directory (else the demo's own), sent as it is
#   environ()                 echo the WSGI environment the view received
#   form("/echo/")            a page with a form posting there, carrying Django's CSRF token
#   error("message")          the view raises ZeroDivisionError (the 500 lesson)
#   stream("a", "b", ...)     a StreamingHttpResponse: each piece a chunk, with a pause between
#   ansi()                    a response holding terminal escape sequences (the hostile-text lesson)
#
# journey follows Django 5.2's behaviour (see the README for the few
# differences between versions).
from django.urls import include, path, re_path

from journey_views import ansi, environ, error, form, json, redirect, static, stream, template

# Group related URLs: the blog app's patterns, included below under blog/
# with the app name "blog", its namespace: reverse("blog:post", ...).
blog_patterns = [
    path("", template("<h1>The blog</h1><p>A group included under blog/, namespace blog.</p>"), name="index"),
    path("<slug:slug>/", template("<h1>Post: {{ slug }}</h1>"), name="post"),
    path("<int:pk>/comments/", json(), name="comments"),
]

urlpatterns = [
    # Declare URLs: one path() per page, first match wins.
    path("", template("<h1>example.com</h1><p>Try /articles/2024/, /blog/, /api/status, /echo/, /boom/, /stream/, /ansi/ and /nope/.</p>"), name="home"),

    # Extract information from URLs: converters turn text into values.
    path("articles/<int:year>/", template("<h1>Articles from {{ year }}</h1>"), name="articles-year"),
    path("articles/<int:year>/<int:month>/", template("<h1>Articles from {{ month }}/{{ year }}</h1>"), name="articles-month"),
    path("articles/<int:year>/<int:month>/<slug:slug>/", template("<h1>{{ slug }}</h1><p>Published {{ month }}/{{ year }}.</p>"), name="article"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", template("<h1>Archive {{ year }}</h1><p>A re_path() regex: its captures stay strings.</p>"), name="archive"),
    path("items/<uuid:id>/", json('{"kind": "item"}'), name="item"),
    path("files/<path:name>", template("<h1>File {{ name }}</h1><p>The path converter takes slashes too.</p>"), name="file"),

    # Group related URLs: everything under blog/ lives in the blog app.
    path("blog/", include((blog_patterns, "blog"))),

    # Built-in views a teacher can point patterns at.
    path("api/status", json('{"status": "ok", "server": "journey lab"}'), name="api-status"),
    path("old/", redirect("/blog/"), name="old"),
    path("old-blog/", redirect("blog:index"), name="old-blog"),
    path("latest/", redirect("articles-year", year="2024"), name="latest"),
    path("static/logo.png", static("logo.png"), name="logo"),
    # A form and its target: a POST without Django's CSRF token is refused
    # (403); the form page hands out the token and the cookie that pass.
    path("echo/", environ(), name="echo"),
    path("form/", form("/echo/"), name="form"),
    path("boom/", error("division by zero"), name="boom"),

    # Lessons of the wire.
    # Compression: the site runs Django's GZipMiddleware, which compresses any
    # body of 200 bytes or more when the request's Accept-Encoding names gzip:
    # journey --compressed www.example.com/echo/ (gzip keeps its result only when
    # it is smaller, so a short page may still go as it is).
    # Chunked transfer encoding: a StreamingHttpResponse has no Content-Length,
    # so an HTTP/1.1 server frames each piece as a chunk.
    path("stream/", stream("The first piece, sent as it was made.", "The second piece: no Content-Length, so each goes as a chunk.", "The third and last piece; a zero-length chunk ends the body."), name="stream"),
    # Hostile text: a header and a body holding terminal escape sequences (clear
    # the screen, set the window title, ring the bell) and a right-to-left
    # override, which journey shows escaped, never obeys.
    path("ansi/", ansi(), name="ansi"),
]
