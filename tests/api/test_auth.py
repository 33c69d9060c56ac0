"""Tokens: 401 without, with a wrong, or with a revoked token; last use recorded."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import ApiToken
from storage.repo.tokens import TokenError, add_token, hash_token, revoke_token
from tests.api.conftest import SeededDb, new_token

ENDPOINTS = [
    "/api/v1/articles",
    "/api/v1/articles/1",
    "/api/v1/clusters",
    "/api/v1/clusters/1",
    "/api/v1/sources",
    "/api/v1/runs",
]


def _token_row(url: str, name: str) -> ApiToken:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalars(select(ApiToken).where(ApiToken.name == name)).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_without_token_401_with_challenge(anon: TestClient, path: str) -> None:
    response = anon.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "bearer token" in response.json()["detail"]


@pytest.mark.parametrize(
    "header", ["Bearer ndt_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "ndt_x"]
)
def test_wrong_token_401(anon: TestClient, header: str) -> None:
    response = anon.get("/api/v1/articles", headers={"Authorization": header})
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_revoked_token_401_and_last_use_recorded(seeded: SeededDb, app: FastAPI) -> None:
    name = f"revocable-{seeded.dialect}"
    token = new_token(seeded.url, name)
    assert _token_row(seeded.url, name).last_used_at is None
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/sources").status_code == 200
    row = _token_row(seeded.url, name)
    assert row.last_used_at is not None
    assert row.token_hash == hash_token(token) and token not in row.token_hash

    engine = make_engine(seeded.url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            revoke_token(session, name)
    finally:
        engine.dispose()
    response = client.get("/api/v1/sources")
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid or revoked API token"


def test_token_names_are_unique_and_checked(seeded: SeededDb) -> None:
    engine = make_engine(seeded.url)
    try:
        with make_session_factory(engine)() as session:
            add_token(session, f"dup-{seeded.dialect}")
            with pytest.raises(TokenError, match="already exists"):
                add_token(session, f"dup-{seeded.dialect}")
            with pytest.raises(TokenError, match="without spaces"):
                add_token(session, "two words")
            with pytest.raises(TokenError, match="no token called"):
                revoke_token(session, "nobody")
            session.rollback()
    finally:
        engine.dispose()


def test_openapi_schema_is_public_and_declares_bearer(anon: TestClient) -> None:
    schema = anon.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    articles = schema["paths"]["/api/v1/articles"]["get"]
    names = {p["name"] for p in articles["parameters"]}
    assert {"source", "published_since", "published_until", "language", "status", "q"} <= names
    assert {"cursor", "limit"} <= names
    assert "401" in articles["responses"] and "422" in articles["responses"]
    assert "ArticlePage" in schema["components"]["schemas"]
