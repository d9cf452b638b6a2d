class ServiceError(Exception):
    """A request that breaks a rule of the domain; the message is shown to the person as it is."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
