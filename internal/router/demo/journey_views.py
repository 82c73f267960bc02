"""The view helpers a journey URL file uses, for Django itself.

journey's router runs these views itself; this module lets Django load the
same file (python3 manage.py check, or the differential test in
internal/router/django_test.go). Each helper returns a view function; its
.journey attribute says which helper made it, for comparison.
"""
import json as _json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect as _redirect
from django.utils.html import escape


def _named(view, func, args, kwargs=None):
    view.journey = [func, list(args), sorted((kwargs or {}).items())]
    view.__name__ = func
    return view


def template(text):
    def view(request, *args, **kwargs):
        out = text
        for k, v in kwargs.items():
            out = out.replace("{{ %s }}" % k, escape(str(v)))
        page = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>example</title></head>\n<body>\n%s\n</body></html>\n'
        return _cached(HttpResponse(page % out))
    return _named(view, "template", [text])


# What @cache_control(max_age=60) and @last_modified would add: journey's
# lab site sends them on its pages, so that a second visit (--warm) can
# revalidate; ConditionalGetMiddleware adds the ETag and answers 304.
def _cached(response):
    response["Cache-Control"] = "max-age=60"
    response["Last-Modified"] = "Thu, 01 Jan 2026 00:00:00 GMT"
    return response


def json(obj=None):
    def view(request, *args, **kwargs):
        data = _json.loads(obj) if obj else {}
        data.update({k: v if isinstance(v, int) else str(v) for k, v in kwargs.items()})
        if args:
            data["args"] = list(args)
        return JsonResponse(data)
    return _named(view, "json", [obj] if obj is not None else [])


def redirect(to, **kw):
    def view(request, *args, **kwargs):
        return _redirect(to, **kw)
    return _named(view, "redirect", [to], kw)


def static(name):
    def view(request, *args, **kwargs):
        return _cached(HttpResponse(b"", content_type="application/octet-stream"))
    return _named(view, "static", [name])


def environ():
    def view(request, *args, **kwargs):
        return HttpResponse(
            "\n".join("%s = %s" % kv for kv in request.META.items()),
            content_type="text/plain; charset=utf-8",
        )
    return _named(view, "environ", [])


def form(action):
    def view(request, *args, **kwargs):
        from django.middleware.csrf import get_token
        return HttpResponse(
            '<form method="post" action="%s"><input type="hidden" name="csrfmiddlewaretoken" value="%s">'
            '<input name="name" value="ada"><button>Send</button></form>' % (action, get_token(request))
        )
    return _named(view, "form", [action])


def error(message):
    def view(request, *args, **kwargs):
        if message == "division by zero":
            total, count = 1, 0
            return HttpResponse(total / count)
        raise Exception(message)
    return _named(view, "error", [message])


def stream(*pieces):
    def view(request, *args, **kwargs):
        return StreamingHttpResponse(p + "\n" for p in pieces)
    return _named(view, "stream", pieces)


def ansi():
    def view(request, *args, **kwargs):
        return HttpResponse("\x1b[2J", content_type="text/plain; charset=utf-8")
    return _named(view, "ansi", [])
