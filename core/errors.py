"""The one error vocabulary of the domain: services raise these, the API maps them."""


class DomainError(Exception):
    """A refusal that the caller can understand and act on.

    `code` is stable (clients switch on it), `message` is a translated sentence.
    """

    code = "domain_error"
    status_code = 409

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.fields = fields


class StateConflict(DomainError):
    """The object's state forbids the action (409)."""

    code = "state_conflict"
    status_code = 409


class InvalidInput(DomainError):
    """The input breaks a rule that only the service can check (400)."""

    code = "invalid"
    status_code = 400


class TooManyAttempts(DomainError):
    """Too many failed logins for this username: wait before trying again (429)."""

    code = "too_many_attempts"
    status_code = 429
