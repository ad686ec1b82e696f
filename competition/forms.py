from django import forms
from django.utils.translation import gettext_lazy as _


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=64)


class TeamJoinForm(forms.Form):
    invite_code = forms.CharField(label=_("Invite code"), max_length=24)


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (CSV)"),
        help_text=_("Columns: email, full_name, team. Comma or semicolon separated, UTF-8."),
    )
