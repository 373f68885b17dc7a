from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import mailserver
import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from the current output."
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., mailserver.MailServer]]:
    """Start real SMTP servers on localhost: smtp_server(tls="starttls", user=..., password=...)."""
    started: list[mailserver.MailServer] = []

    def start(**kwargs: str) -> mailserver.MailServer:
        server = mailserver.start(tmp_path, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.controller.stop()
