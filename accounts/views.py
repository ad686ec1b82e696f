from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import LoginForm, ProfileForm, SignupForm


class LoginView(auth_views.LoginView):
    """Django's log-in page, locked for a while after too many failed passwords."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        seconds = getattr(form, "throttled_seconds", 0)
        if seconds:
            response.status_code = 429
            response["Retry-After"] = str(seconds)
        return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("competition:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Podio, %(name)s!") % {"name": user.username})
        return redirect(request.GET.get("next") or "competition:list")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    token = services.token_get_or_create(user=request.user)
    return render(request, "accounts/profile.html", {"form": form, "token": token})


@login_required
@require_POST
def token_regenerate(request: HttpRequest) -> HttpResponse:
    services.token_regenerate(user=request.user)
    messages.success(request, _("A new API token was made; the old one no longer works."))
    return redirect("profile")
