"""Fixtures for service tests: a real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
import email.message
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from devtools.pg_cluster import _free_port
from services import notify


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.EmailMessage] = []

    def handle_message(self, message: email.message.Message) -> None:
        self.messages.append(email.message_from_string(message.as_string(), policy=default_policy))


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield notify.SmtpSettings(host="127.0.0.1", port=controller.port, sender="perfdash@example.gov.cn"), inbox
    controller.stop()
