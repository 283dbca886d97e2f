"""Domain errors: raised by services with a message for the user (in Danish); one DRF exception
handler and one form helper turn them into a 400 / a form error, never a 500."""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone saved a newer version meanwhile (optimistic locking): nothing was overwritten."""
