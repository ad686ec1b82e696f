from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from competition.views import client_package, health, queue_page

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("competition.api_urls")),
    path("", include("grader.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="competition:list", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("competitions/", include("competition.urls")),
    path("competitions/<slug:slug>/", include("grader.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("client/podio-client.tar.gz", client_package, name="client-package"),
    path("health/", health, name="health"),
    path("ops/queue/", queue_page, name="queue"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler500 = "config.errors.server_error"
