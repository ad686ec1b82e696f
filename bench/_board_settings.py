"""Podio's settings with one more URL, /bench/ok/ (see bench/_board_urls.py): the trivial
view that bench/bench_leaderboard.py measures beside the leaderboards, on the same
server. Only that benchmark's gunicorn uses it; the site's URLconf stays as it is."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench._board_urls"
