"""Celery tasks of the built-in plugins."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def send_notification_email(
    notification: str, recipient: str, sender: str, context: dict
) -> None:
    """Renders ``plugins/email/<notification>*`` and sends it to ``recipient``.

    SMTP errors are OSErrors: retried with backoff, the mail server may be back.
    """
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    prefix = f"plugins/email/{notification}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{prefix}.txt", context),
        from_email=sender or settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string(f"{prefix}.html", context), "text/html")
    message.send()
