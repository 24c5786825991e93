"""A mail server that is down does not fail the close: the cycle closes, the task succeeds,
the mails are retried on their own. Found by running the production processes."""

from django.core.mail.backends.base import BaseEmailBackend

from supply.choices import CycleStatus
from tests.helpers import close


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_the_close_stands_when_the_mail_server_is_down(
    coordinator_client, market, ordered, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"  # the producers have addresses

    response, task = close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    assert task["state"] == "SUCCESS", task
    market.cycle.refresh_from_db()
    assert market.cycle.status == CycleStatus.CLOSED
