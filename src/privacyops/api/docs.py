"""``/api/v1/docs``: Swagger UI served from the package's own copy, so it works without internet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from privacyops.api import deps

VENDOR = "vendor/swagger-ui"
router = APIRouter(dependencies=[deps.public()], include_in_schema=False)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Show the interactive API documentation; every asset comes from this server."""
    static = request.url_for("static", path=VENDOR).path
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url=f"{static}/swagger-ui-bundle.js",
        swagger_css_url=f"{static}/swagger-ui.css",
        swagger_favicon_url=f"{static}/favicon-32x32.png",
        # No validator badge: it would send the schema to a third-party service.
        swagger_ui_parameters={"validatorUrl": None},
    )
