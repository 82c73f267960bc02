"""Runs journey's differential cases through real Django, in one process.

Reads a JSON document of cases on standard input and writes one of results
on standard output. The URL files are modules in the current directory.
Written for internal/router/django_test.go; not part of journey.
"""
import json
import sys
from urllib.parse import unquote_to_bytes

sys.path.insert(0, ".")

import django
from django.conf import settings

settings.configure(
    DEBUG=True,
    APPEND_SLASH=True,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF="urls_empty",
    # startproject's MIDDLEWARE, with GZipMiddleware first and
    # ConditionalGetMiddleware after it, as journey's lab runs them.
    MIDDLEWARE=[
        "django.middleware.gzip.GZipMiddleware",
        "django.middleware.http.ConditionalGetMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
    ],
    SECRET_KEY="journey-differential-test",
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponseNotFound
from django.middleware.common import CommonMiddleware
from django.urls import NoReverseMatch, Resolver404, clear_url_caches, get_resolver, reverse
from django.urls.exceptions import Resolver404 as R404


def environ_for(raw_path, method="GET", query=""):
    # As gunicorn fills PATH_INFO: percent-decoded bytes, as latin-1 text.
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "www.example.com",
        "wsgi.input": __import__("io").BytesIO(b""),
        "wsgi.url_scheme": "http",
    }


def chain(patterns):
    out = [str(p.pattern) for p in patterns]
    name = getattr(patterns[-1], "name", None)
    return {"routes": out, "name": name or ""}


def resolve_case(c):
    req = WSGIRequest(environ_for(c["path"]))
    out = {"path_info": req.path_info}
    resolver = get_resolver(c["conf"])
    try:
        m = resolver.resolve(req.path_info)
    except Resolver404 as e:
        out["match"] = False
        out["tried"] = [chain(t) for t in e.args[0].get("tried", [])]
        return out
    out["match"] = True
    out["route"] = m.route
    out["url_name"] = m.url_name or ""
    out["view_name"] = m.view_name or ""
    out["namespace"] = m.namespace
    out["func"] = getattr(m.func, "journey", None)
    out["args"] = [repr(a) for a in m.args]
    out["kwargs"] = {k: repr(v) for k, v in m.kwargs.items()}
    out["tried"] = [chain(t) for t in (m.tried or [])]
    return out


def reverse_case(c):
    try:
        if c.get("args") is not None:
            return {"url": reverse(c["name"], urlconf=c["conf"], args=c["args"])}
        return {"url": reverse(c["name"], urlconf=c["conf"], kwargs=c.get("kwargs") or {})}
    except NoReverseMatch as e:
        return {"error": "NoReverseMatch", "message": str(e)}


def slash_case(c):
    req = WSGIRequest(environ_for(c["path"], c.get("method", "GET"), c.get("query", "")))
    req.urlconf = c["conf"]
    mw = CommonMiddleware(lambda r: HttpResponseNotFound())
    try:
        resp = mw.process_request(req)
        if resp is None:
            resp = mw.process_response(req, HttpResponseNotFound())
    except Exception as e:  # RuntimeError for a POST with DEBUG on
        return {"error": type(e).__name__, "message": str(e)}
    return {"status": resp.status_code, "location": resp.get("Location", "")}


def http_case(c):
    # The whole Django stack, through the test client: status, headers.
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for k, v in c.get("cookies", {}).items():
        client.cookies[k] = v
    extra = {"HTTP_HOST": c.get("host") or "www.example.com"}
    for k, v in c.get("headers", {}).items():
        extra["HTTP_" + k.upper().replace("-", "_")] = v
    with override_settings(ROOT_URLCONF=c["conf"]):
        resp = client.generic(
            c["method"], c["path"], c.get("body", "").encode(),
            content_type=c.get("content_type", ""), secure=c.get("scheme") == "https", **extra
        )
    headers = [[k, v] for k, v in resp.items()]
    for cookie in resp.cookies.values():
        headers.append(["Set-Cookie", cookie.output(header="").strip()])
    return {"status": resp.status_code, "headers": headers}


def load_case(conf):
    try:
        get_resolver(conf).url_patterns
        get_resolver(conf)._populate()
        return {"ok": True}
    except Exception as e:
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}


def guarded(f):
    def run(c):
        try:
            return f(c)
        except Exception as e:
            return {"crash": "%s: %s" % (type(e).__name__, e)}
    return run


def main():
    cases = json.load(sys.stdin)
    out = {
        "django": ".".join(str(x) for x in django.VERSION[:3]),
        "load": {c: load_case(c) for c in cases.get("load", [])},
        "resolve": [guarded(resolve_case)(c) for c in cases.get("resolve", [])],
        "reverse": [guarded(reverse_case)(c) for c in cases.get("reverse", [])],
        "slash": [guarded(slash_case)(c) for c in cases.get("slash", [])],
        "http": [guarded(http_case)(c) for c in cases.get("http", [])],
    }
    json.dump(out, sys.stdout)


main()
