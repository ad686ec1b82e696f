"""A client for Podio's REST API: the `podio` command and the `Podio` class."""

from podio_client.api import Podio, PodioError

__all__ = ["Podio", "PodioError"]
