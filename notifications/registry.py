"""What the apps lend the outbox, registered when they load (their AppConfig.ready): the
attachments they render at send time, and the reminders beat runs (DESIGN.md §11).

The outbox imports no app; each app composes its own messages and registers here."""

from collections.abc import Callable
from datetime import datetime

from core.models import User

# name → render(argument, recipient) → (filename, content, mimetype)
Attachment = Callable[[str, User], tuple[str, bytes, str]]
ATTACHMENTS: dict[str, Attachment] = {}
# Each reminder finds what is due at `now` and notifies; run again, it sends nothing more.
REMINDERS: dict[str, Callable[[datetime], int]] = {}


def attachment(name: str) -> Callable[[Attachment], Attachment]:
    def register(render: Attachment) -> Attachment:
        ATTACHMENTS[name] = render
        return render

    return register


def reminder(function: Callable[[datetime], int]) -> Callable[[datetime], int]:
    REMINDERS[f"{function.__module__}.{function.__name__}"] = function
    return function
