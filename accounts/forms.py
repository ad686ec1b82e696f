from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."))
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name",)


class ThrottledLoginMixin:
    """Refuses a log-in, before any password is checked, while the username typed or the
    client's address is locked after too many failures (see accounts.throttle)."""

    THROTTLED = "throttled"

    def clean(self):
        seconds = throttle.seconds_locked(self.request, self.cleaned_data.get("username"))
        if seconds:
            self.throttled_seconds = seconds
            raise forms.ValidationError(throttle.refusal_message(seconds), code=self.THROTTLED)
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
