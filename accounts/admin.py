from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.models import User

# The admin's log-in page counts and refuses like the site's (accounts.throttle).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Podio"), {"fields": ("full_name",)}),
    )
    list_display = ("username", "email", "full_name", "is_staff", "date_joined")
    search_fields = ("username", "email", "full_name")
