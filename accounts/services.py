from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts.models import User


def token_get_or_create(*, user: User) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def token_regenerate(*, user: User) -> Token:
    """Replaces the user's API token: the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def user_create_invited(*, email: str, full_name: str) -> User:
    """An account made by an instructor: no usable password until the person sets one."""
    user = User(username=_free_username(email), email=email.lower(), full_name=full_name)
    user.set_unusable_password()
    user.save()
    return user


def _free_username(email: str) -> str:
    base = "".join(c for c in email.split("@")[0] if c.isalnum() or c in "._-")[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def password_setup_link(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def send_password_setup_email(*, user: User, context: str) -> None:
    """Sends the set-your-password link; ``context`` names what the account is for."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/password_setup.txt",
            {"user": user, "link": password_setup_link(user=user), "context": context},
        )
        subject = render_to_string("accounts/email/password_setup_subject.txt").strip()
    send_mail(subject, body, None, [user.email])
