"""The blueprints, one module per page or API area. ``VIEW_MODULES`` wires them in order."""

from kepu_server.views import api_content, auth_pages, openapi, pages

# Each module has ``init_app(app)`` and may have ``OPENAPI_PATHS``. Order matters only in
# that ``api_content`` holds the /api/v1 catch-all 404, which Flask ranks below real routes.
VIEW_MODULES = [pages, auth_pages, api_content, openapi]
