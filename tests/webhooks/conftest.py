import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.models import Role
from tests.factories import UserFactory
from tests.webhooks.factories import ExternalSystemFactory, SubscriptionFactory
from webhooks.signing import SignatureError, verify


@dataclass
class Receiver:
    """A subscriber's receiver on loopback, as the README tells one to write it: it checks each
    delivery's signature and handles each event id once."""

    secret: str = ""
    port: int = 0
    received: list[dict] = field(default_factory=list)  # first deliveries, in order
    duplicates: list[str] = field(default_factory=list)  # event ids delivered again
    refused: list[str] = field(default_factory=list)  # why each refused delivery was
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/icms/events"

    @property
    def event_ids(self) -> list[str]:
        return [delivery["payload"]["id"] for delivery in self.received]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/moved":
                    self.send_response(307)
                    self.send_header("Location", receiver.url)
                    self.end_headers()
                    return
                try:
                    event_id = verify(receiver.secret, self.headers, body)
                except SignatureError as error:
                    receiver.refused.append(str(error))
                    self.send_response(400)
                else:
                    if event_id in receiver.event_ids:
                        receiver.duplicates.append(event_id)
                    else:
                        receiver.received.append(
                            {
                                "headers": dict(self.headers),
                                "body": body,
                                "payload": json.loads(body),
                            }
                        )
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def warehouse(team):
    """The agency's data warehouse: reads the first team's young people, as its supervisor would."""
    return ExternalSystemFactory(
        name="Data warehouse",
        account=UserFactory(username="system-warehouse", role=Role.SUPERVISOR, team=team),
    )


@pytest.fixture
def other_warehouse(other_team):
    """A system reading only the other team's young people."""
    return ExternalSystemFactory(
        name="West reporting",
        account=UserFactory(username="system-west", role=Role.SUPERVISOR, team=other_team),
    )


@pytest.fixture
def subscribed(warehouse, receiver):
    """The warehouse subscribed to every kind of event, at the receiver."""
    subscription = SubscriptionFactory(system=warehouse, url=receiver.url)
    receiver.secret = subscription.secret
    return subscription
