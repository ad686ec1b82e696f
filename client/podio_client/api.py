"""The Python API: `Podio(url, token)`, one method per thing a student does."""

import mimetypes
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

FINISHED = ("scored", "failed")


class PodioError(Exception):
    """The server refused, or could not be reached; the message says why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Upload:
    """A request body that reports how much of it was sent (for the progress bar)."""

    def __init__(self, body: bytes, progress: Callable[[int, int], None] | None) -> None:
        self._body, self._sent, self._progress = body, 0, progress

    def __len__(self) -> int:
        return len(self._body)

    def tell(self) -> int:
        return self._sent

    def read(self, size: int = -1) -> bytes:
        size = len(self._body) - self._sent if size is None or size < 0 else min(size, 65536)
        chunk = self._body[self._sent : self._sent + size]
        self._sent += len(chunk)
        if self._progress:
            self._progress(self._sent, len(self._body))
        return chunk


def _multipart(fields: dict[str, str], name: str, path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{path.name}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
    )
    parts.append(path.read_bytes() + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Podio:
    def __init__(
        self, url: str, token: str | None = None, timeout: float = 120, language: str = ""
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        # Messages come in the user's language: PODIO_LANGUAGE, else the system's.
        language = language or os.environ.get("PODIO_LANGUAGE") or _system_language()
        if language:
            self.session.headers["Accept-Language"] = language
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    # --- plumbing -------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{self.url}/api/v1/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise PodioError(f"Cannot reach {self.url}: {error}") from None
        if response.status_code >= 400:
            raise PodioError(_detail(response), response.status_code)
        return response

    def _json(self, method: str, path: str, **kwargs):
        return self._request(method, path, **kwargs).json()

    def _all(self, path: str) -> list:
        page = self._json("GET", path)
        if isinstance(page, list):
            return page
        items = list(page["results"])
        while page.get("next"):
            page = self._json("GET", page["next"])
            items += page["results"]
        return items

    # --- what a student does -------------------------------------------------------
    @classmethod
    def login(cls, url: str, username: str, password: str) -> "Podio":
        client = cls(url)
        token = client._json(
            "POST", "auth/token/", json={"username": username, "password": password}
        )
        return cls(url, token["token"])

    @property
    def token(self) -> str | None:
        value = self.session.headers.get("Authorization", "")
        return value.removeprefix("Token ") or None

    def me(self) -> dict:
        return self._json("GET", "me/")

    def competitions(self) -> list[dict]:
        return self._all("competitions/")

    def files(self, slug: str) -> list[dict]:
        return self._json("GET", f"competitions/{slug}/files/")

    def download(self, slug: str, folder: str | os.PathLike = ".") -> list[Path]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for item in self.files(slug):
            target = folder / Path(item["name"]).name
            target.write_bytes(self._request("GET", item["url"]).content)
            saved.append(target)
        return saved

    def submit(
        self,
        slug: str,
        path: str | os.PathLike,
        message: str = "",
        *,
        wait: bool = False,
        progress: Callable[[int, int], None] | None = None,
        on_status: Callable[[dict], None] | None = None,
        poll: float = 2.0,
    ) -> dict:
        """Uploads a prediction file (or a .keras model); with ``wait``, returns the
        submission once scored, or raises PodioError with the reason it failed."""
        body, content_type = _multipart({"description": message}, "file", Path(path))
        submission = self._json(
            "POST",
            f"competitions/{slug}/submissions/",
            data=_Upload(body, progress),
            headers={"Content-Type": content_type},
        )
        return self.wait(submission, on_status=on_status, poll=poll) if wait else submission

    def wait(self, submission: dict, *, on_status=None, poll: float = 2.0) -> dict:
        last = None
        while True:
            if submission["status"] != last and on_status:
                on_status(submission)
            last = submission["status"]
            if submission["status"] in FINISHED:
                break
            time.sleep(poll)
            submission = self.submission(submission["id"])
        if submission["status"] == "failed":
            raise PodioError(submission["error"] or "The submission failed.")
        return submission

    def submission(self, submission_id: int) -> dict:
        return self._json("GET", f"submissions/{submission_id}/")

    def submissions(self, slug: str) -> list[dict]:
        return self._all(f"competitions/{slug}/submissions/")

    def select(self, submission_id: int, selected: bool = True) -> dict:
        return self._json(
            "POST", f"submissions/{submission_id}/select/", json={"selected": selected}
        )

    def report(
        self,
        slug: str,
        path: str | os.PathLike,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict:
        """Uploads the team's report (a PDF); it replaces the earlier version."""
        body, content_type = _multipart({}, "file", Path(path))
        return self._json(
            "POST",
            f"competitions/{slug}/report/",
            data=_Upload(body, progress),
            headers={"Content-Type": content_type},
        )

    def report_status(self, slug: str) -> dict:
        """The team's report versions, the deadline, and the grade once released."""
        return self._json("GET", f"competitions/{slug}/report/")

    def leaderboard(self, slug: str, private: bool = False) -> list[dict]:
        suffix = "?private=1" if private else ""
        return self._json("GET", f"competitions/{slug}/leaderboard/{suffix}")


def _system_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].replace("_", "-")
    return ""


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return f"HTTP {response.status_code}: {body}"
