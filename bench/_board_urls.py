"""Podio's URLs plus /bench/ok/, a view that answers "ok" and does nothing else: it
pays what every request pays (gunicorn, WSGI, the middleware, URL resolution) and no
more. For bench/bench_leaderboard.py only."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as podio


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok/", ok), *podio]
