"""The one error type the CLI turns into a clean message and exit status 2."""


class FeGenError(Exception):
    """A problem the user can fix, described in one line that names the thing at fault.

    The message names the file, model, column or option involved, and, where there is one,
    what to do about it. The CLI prints it without a traceback and exits with status 2.
    Whitespace runs, newlines among them, become one space: a library's multi-line message
    embedded in it stays on the one line.
    """

    def __init__(self, message: str) -> None:
        message = " ".join(message.split())
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
