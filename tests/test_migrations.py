"""Migrations: upgrade, downgrade to base and upgrade again on an empty database; no drift from the models."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.core.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE, fresh_database


def test_upgrade_downgrade_upgrade_and_no_drift() -> None:
    url = fresh_database(f"{TEST_DATABASE}_migrations")
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)  # raises when the models and the migrations disagree
