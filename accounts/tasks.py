from smtplib import SMTPException

from celery import shared_task

from accounts import services
from accounts.models import User


@shared_task(
    name="accounts.send_password_setup_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_password_setup_email(user_id: int, context: str) -> None:
    """Mails a set-your-password link; slow mail servers never hold up the page."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        services.send_password_setup_email(user=user, context=context)
