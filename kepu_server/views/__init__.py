"""The blueprints, one module per page or API area. ``VIEW_MODULES`` wires them in order."""

from kepu_server.views import (
    admin_plugins,
    admin_reports,
    admin_users,
    api_authoring,
    api_content,
    api_student,
    api_teacher,
    auth_pages,
    author_pages,
    openapi,
    pages,
    student,
    teach,
    teach_regrade,
    teach_reports,
    teach_seats,
)

# Each module has ``init_app(app)`` and may have ``OPENAPI_PATHS`` (merged into
# /api/v1/openapi.json). api_content holds the /api/v1 catch-all 404, which Flask ranks
# below every real route.
VIEW_MODULES = [
    pages, auth_pages, api_content, api_student, api_teacher, student, teach, teach_seats,
    teach_regrade, teach_reports, admin_users, admin_plugins, admin_reports, api_authoring,
    author_pages, openapi,
]  # fmt: skip
