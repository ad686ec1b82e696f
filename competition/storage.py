from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class HiddenStorage(FileSystemStorage):
    """Files no URL serves (solutions, hidden inputs), under settings.HIDDEN_ROOT."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.HIDDEN_ROOT)

    def url(self, name):
        raise ValueError("Hidden files have no URL.")

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "HIDDEN_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
