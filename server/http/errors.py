"""Errors out of the HTTP bridge, in the envelope each family of clients expects.

    seed 1 paths (/api/v1/check-update, /download-started, /install-result, /admin/api/v1/...)
        {"code": <http status>, "error_code": "...", "message": "..."}
    every other path (seed 2 §8.1)
        {"error_code": "...", "message": "..."}

Messages follow the request's ``Accept-Language`` (en, zh_CN).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.errors import UpkeepError
from common.i18n import N_, gettext, negotiate_locale

__all__ = ["ErrorBody", "LegacyErrorBody", "error_response", "install_error_handlers", "request_locale"]

logger = logging.getLogger(__name__)

SEED1_PREFIXES = ("/api/v1/check-update", "/api/v1/download-started", "/api/v1/install-result", "/admin/api/v1/")

BAD_REQUEST = N_("The request is malformed: {detail}")
NOT_FOUND = N_("The requested resource was not found.")
METHOD_NOT_ALLOWED = N_("This method is not allowed here.")
INTERNAL = N_("Internal server error.")
GENERIC_HTTP = N_("The request failed.")


class ErrorBody(BaseModel):
    """Seed 2 §8.1 error object."""

    error_code: str
    message: str


class LegacyErrorBody(ErrorBody):
    """Seed 1 error envelope."""

    code: int


def request_locale(request: Request) -> str:
    return negotiate_locale(request.headers.get("accept-language"))


def error_response(request: Request, status: int, error_code: str, message: str) -> JSONResponse:
    """An error in the envelope of the request's client family (``message`` already translated)."""
    body: dict[str, object] = {"error_code": error_code, "message": message}
    if request.url.path.startswith(SEED1_PREFIXES):
        body = {"code": status, **body}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{location}: {error.get('msg', '')}" if location else str(error.get("msg", "")))
    return "; ".join(parts)


def _document_400_not_422(app: FastAPI) -> None:
    """OpenAPI as the routes answer: bad input is a 400 in the family's envelope, never FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for path, operations in schema.get("paths", {}).items():
            model = LegacyErrorBody if path.startswith(SEED1_PREFIXES) else ErrorBody
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is None or "400" in responses:
                    continue
                responses["400"] = {"description": "Invalid input", "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
                components.setdefault(model.__name__, model.model_json_schema(
                    ref_template="#/components/schemas/{model}"))
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    _document_400_not_422(app)

    @app.exception_handler(UpkeepError)
    async def _upkeep_error(request: Request, exc: UpkeepError) -> JSONResponse:
        return error_response(request, exc.http_status, exc.error_code, exc.translated(request_locale(request)))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message = gettext(BAD_REQUEST, request_locale(request)).format(detail=_describe_validation(exc))
        return error_response(request, 400, "INVALID_INPUT", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        locale = request_locale(request)
        if exc.status_code == 404:
            return error_response(request, 404, "RESOURCE_NOT_FOUND", gettext(NOT_FOUND, locale))
        if exc.status_code == 405:
            return error_response(request, 405, "METHOD_NOT_ALLOWED", gettext(METHOD_NOT_ALLOWED, locale))
        return error_response(request, exc.status_code, "HTTP_ERROR", gettext(GENERIC_HTTP, locale))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "INTERNAL", gettext(INTERNAL, request_locale(request)))
