"""Whatever a leaderboard shows changed: its cached boards are stale (leaderboard.touch).

Saves and deletes come here; the scoring's own queryset updates call touch() itself.
"""

from django.db.models.signals import post_delete, post_save

from competition import leaderboard
from competition.models import Competition, Membership, Submission, Team


def _changed(sender, instance, **kwargs) -> None:
    competition_id = instance.pk if sender is Competition else instance.competition_id
    if competition_id is not None:
        leaderboard.touch(competition_id)


def connect() -> None:
    for model in (Competition, Team, Membership, Submission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"board-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"board-del-{model.__name__}")
