"""The one error type of bad input (a missing or wrong file, an impossible option)."""


class InputError(Exception):
    """Bad input; the message is one line naming the problem and the fix. The command line prints
    it as `error: MESSAGE` and exits with status 1; nothing has been written by then."""
