"""The one exception whose message is written for the person who uploaded the file."""


class ScoringError(Exception):
    """A problem with an uploaded file that its author can fix; the message says how.

    Any other exception raised while scoring is Podio's own fault.
    """
