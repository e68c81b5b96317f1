"""The Wagtail admin's sign-in form (settings.WAGTAILADMIN_USER_LOGIN_FORM)."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm

from shop.accounts import throttles


class AdminLoginForm(LoginForm):
    """Wagtail's form under the same failed sign-in limits as the API."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        try:
            throttles.check_sign_in_allowed(self.request, email)
        except throttles.SignInLocked:
            raise ValidationError(
                throttles.SIGN_IN_LOCKED_MESSAGE, code="sign_in_locked"
            ) from None
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                throttles.record_failed_sign_in(self.request, email)
            raise
