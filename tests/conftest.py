"""Shared fixtures: databases (SQLite and PostgreSQL), real servers, Docker."""

pytest_plugins = ["tests.fixtures.db", "tests.fixtures.servers"]
