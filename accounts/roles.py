"""Roles are Django groups with model permissions: students hold none, instructors many."""

from django.contrib.auth.models import Group, Permission

INSTRUCTORS = "Instructors"

# Instructors manage everything that belongs to a course: competitions, teams,
# submissions, reports and grades, and may look up users.
INSTRUCTOR_APPS = ("competition", "grader")
INSTRUCTOR_EXTRA = (("accounts", "view_user"),)


def ensure_instructor_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    perms = Permission.objects.filter(content_type__app_label__in=INSTRUCTOR_APPS)
    extra = [
        Permission.objects.filter(content_type__app_label=app, codename=codename)
        for app, codename in INSTRUCTOR_EXTRA
    ]
    for query in extra:
        perms = perms | query
    group.permissions.set(perms)
    return group


def make_instructor(user) -> None:
    """Instructors join the group, and are staff so that the admin opens for them."""
    user.groups.add(ensure_instructor_group())
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    # has_perm caches per user object; forget it so that the new role shows at once.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
