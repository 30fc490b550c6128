from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from profiles import password_reset
from profiles.login import LoginView
from recsite import health, metrics

urlpatterns = [
    # For load balancers and Prometheus: no sign-in, no HTTPS redirect.
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    # Monitoring networks and staff only (recsite/health.py).
    path("health/status", health.status, name="health-status"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # Before auth's own: the same address, with a limit on failed attempts.
    path("accounts/login/", LoginView.as_view(), name="login"),
    # Before auth's own too: password reset only where email is configured.
    path("accounts/", include(password_reset)),
    path("accounts/", include("django.contrib.auth.urls")),
    # The API: its OpenAPI schema and docs page, the person's own data and the
    # engine's endpoints (items, recommendations, training).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("profiles.api_urls")),
    path("api/", include("engine.api_urls")),
    path("", include("profiles.urls")),
    # The catalog page is the engine's: its search ranks by meaning.
    path("", include("engine.urls")),
]

# A database outage answers 503 even where it breaks a middleware, and the
# API's 500s are JSON with the request id.
handler500 = "recsite.middleware.server_error"
# An /api/ address no route matches is a JSON 404 too (found by fuzzing).
handler404 = "recsite.api_errors.page_not_found"
