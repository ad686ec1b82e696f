import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


class Competition(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (Markdown)"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Students see only published competitions.")
    )
    start_at = models.DateTimeField(_("start"))
    team_merger_at = models.DateTimeField(
        _("team merger deadline"),
        null=True,
        blank=True,
        help_text=_("No joining or leaving teams after this moment. Empty: the end date."),
    )
    end_at = models.DateTimeField(_("end"))
    team_size_limit = models.PositiveSmallIntegerField(_("team size limit"), default=4)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-start_at", "slug")
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="competition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(team_size_limit__gte=1), name="competition_team_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def team_deadline(self) -> datetime:
        return self.team_merger_at or self.end_at

    def teams_locked(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.team_deadline

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.start_at <= now < self.end_at

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.end_at


class Team(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=64)
    invite_code = models.CharField(max_length=24, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ("competition", "name")
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                "competition", Lower("name"), name="team_name_unique_in_competition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # competition repeats team.competition so that the database itself enforces
    # "one team per student per competition", even under concurrent requests.
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("joined_at", "id")
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=("competition", "user"), name="one_team_per_user_per_competition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
