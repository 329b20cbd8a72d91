"""Every accounts/clients/updates route declares its success and error answers in the OpenAPI schema."""

from __future__ import annotations

from fastapi import FastAPI

from server.http import accounts, clients, diagnostics, updates
from server.http.errors import install_error_handlers

EXPECTED = {
    ("post", "/api/v1/clients/register"): {"201", "400", "404", "409"},
    ("post", "/api/v1/history/service-upgrades"): {"202", "400", "404"},
    ("post", "/api/v1/history/client-self-upgrades"): {"202", "400", "404"},
    ("get", "/api/v1/announcements"): {"200", "400"},
    ("post", "/api/v1/diagnostics/upload"): {"201", "400", "404", "413"},
    ("get", "/api/v1/services/updates/manifest"): {"200", "304", "400", "404"},
    ("get", "/api/v1/docker/update/manifest"): {"200", "304", "400", "404"},
    ("get", "/api/v1/client/updates/manifest"): {"200", "204", "400", "404"},
    ("get", "/api/v1/client/update/manifest"): {"200", "204", "400", "404"},
    ("get", "/{project}/tauri/{target}/{arch}/{current_version}"): {"200", "204", "400", "404"},
    ("post", "/admin/api/v1/tokens"): {"201", "400", "401", "403"},
    ("get", "/admin/api/v1/tokens"): {"200", "400", "401", "403"},
    ("delete", "/admin/api/v1/tokens/{token_id}"): {"200", "401", "403", "404"},
    ("get", "/admin/api/v1/audit-log"): {"200", "400", "401", "403"},
    ("get", "/admin/api/v1/diagnostics"): {"200", "400", "401", "403"},
    ("get", "/admin/api/v1/diagnostics/{diagnostic_id}/download"): {"200", "401", "403", "404"},
}


def test_routes_declare_answers() -> None:
    app = FastAPI()
    install_error_handlers(app)
    for module in (accounts, clients, updates, diagnostics):
        app.include_router(module.router)
    paths = app.openapi()["paths"]
    for (method, path), statuses in EXPECTED.items():
        declared = set(paths[path][method]["responses"])
        assert statuses <= declared, (method, path, declared)
    manifest = paths["/api/v1/services/updates/manifest"]["get"]["responses"]["200"]["content"]["application/json"]
    assert manifest["schema"]["$ref"].endswith("/ServiceManifestOut")
    assert paths["/api/v1/diagnostics/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
