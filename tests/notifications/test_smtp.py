"""The production path: Django's SMTP backend talking to a real SMTP server on loopback
(aiosmtpd), which receives a MIME message with its text, its HTML and its PDF."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import close


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd names it)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()


def test_the_purchase_order_reaches_a_real_smtp_server_with_its_pdf(
    smtp_server, coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    answer, task = close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    assert answer.status_code == 202 and task["state"] == "SUCCESS", task

    received = {tuple(envelope.rcpt_tos): envelope for envelope in smtp_server.envelopes}
    assert set(received) == {(world.producer_user.email,)}  # the other farm has nobody
    message = message_from_bytes(
        received[(world.producer_user.email,)].content, policy=policy.default
    )
    assert message["Subject"].strip() == (
        f"Appro Solidaire — Bon de commande à confirmer : {market.cycle.name}"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Confirmez les quantités avant le" in text
    assert "kilogrammes" in text  # each quantity with its unit, in words
    assert "<table" in html and world.product.name in html  # the lines to confirm
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"bon-de-commande-{market.cycle.id}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
