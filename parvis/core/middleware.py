"""Security headers Django does not set itself: Content-Security-Policy, Permissions-Policy."""

from django.http import HttpRequest, HttpResponse

# No inline script, no third-party origin: every asset is served by the platform.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"


def _policy() -> str:
    """The CSP, opening img-src to the map tile server when a deployment configures one."""
    from urllib.parse import urlsplit

    from django.conf import settings

    tiles = urlsplit(settings.PARVIS_MAP_TILES_URL.replace("{s}", "a"))
    if not tiles.scheme:
        return CONTENT_SECURITY_POLICY
    origin = f"{tiles.scheme}://{tiles.netloc}"
    return CONTENT_SECURITY_POLICY.replace("img-src 'self'", f"img-src 'self' {origin}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.policy = _policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
