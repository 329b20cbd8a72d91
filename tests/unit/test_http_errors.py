"""The two error envelopes of the seeds, in the client's language."""

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from common.errors import Conflict, NotFound
from server.http.errors import install_error_handlers


class Body(BaseModel):
    version: str


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/admin/api/v1/versions")
    async def create(body: Body) -> dict[str, str]:
        raise Conflict("Version {version} already exists in this project.", error_code="VERSION_EXISTS", version=body.version)

    @app.get("/api/v1/announcements")
    async def announcements() -> dict[str, str]:
        raise NotFound("Unknown project {project!r}", project="x")

    return app


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as c:
        yield c


async def test_seed1_envelope_carries_code(client: httpx.AsyncClient) -> None:
    response = await client.post("/admin/api/v1/versions", json={"version": "v1.2.3"})
    assert response.status_code == 409
    assert response.json() == {
        "code": 409, "error_code": "VERSION_EXISTS", "message": "Version v1.2.3 already exists in this project.",
    }


async def test_seed2_envelope_has_only_error_code_and_message(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/announcements")
    assert response.status_code == 404
    assert set(response.json()) == {"error_code", "message"}
    assert response.json()["error_code"] == "RESOURCE_NOT_FOUND"


async def test_malformed_json_is_400_in_chinese(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/admin/api/v1/versions", content=b"{not json", headers={"content-type": "application/json", "accept-language": "zh-CN"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["error_code"] == "INVALID_INPUT"
    assert body["message"].startswith("请求格式错误")


async def test_unknown_route_is_404_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json() == {"error_code": "RESOURCE_NOT_FOUND", "message": "The requested resource was not found."}
