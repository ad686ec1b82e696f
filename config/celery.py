"""The Celery app. Workers: ``celery -A config worker -Q cpu`` (and ``-Q gpu`` for models)."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("podio")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each queue has its own exchange and key: with bare Queue("gpu") Celery would bind
# it to the default exchange with the key "cpu", and a CPU task would land on both.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ("cpu", "gpu")
]
app.autodiscover_tasks()


@app.task(name="podio.ping", ignore_result=False)
def ping() -> str:
    """Answers 'pong': proves that a worker takes tasks from the broker."""
    return "pong"
