"""Checks on an uploaded Keras model that need no Keras: is it a real `.keras` archive,
and does its configuration name only Keras's own built-in classes?

These run in the worker before any sandbox starts, so the common refusals are quick
and specific. Keras's safe mode, inside the sandbox, stays the last word.
"""

import json
import zipfile
from pathlib import Path

from grader.scoring.errors import ScoringError

NOT_KERAS = (
    "This is not a Keras model file. Save your model with model.save('model.keras') "
    "(Keras 3) and upload that file."
)
H5 = (
    "This is a legacy HDF5 (.h5) model. Podio accepts only the native Keras format: "
    "save it with model.save('model.keras') and upload that file."
)
LAMBDA = (
    "This model contains a Lambda layer ({name}), which runs arbitrary code; replace it "
    "with built-in layers (for example Rescaling instead of a lambda that divides)."
)
CUSTOM = (
    "This model uses a custom class '{cls}' (from '{module}'), which Podio cannot load "
    "safely; build the model from Keras's built-in layers only."
)
MAX_CONFIG_BYTES = 20 * 1024 * 1024


def check_archive(path: str | Path) -> dict:
    """The model's configuration, once the archive passed every check; ScoringError else."""
    path = Path(path)
    with path.open("rb") as file:
        magic = file.read(8)
    if magic.startswith(b"\x89HDF\r\n\x1a\n"):
        raise ScoringError(H5)
    if not zipfile.is_zipfile(path):
        raise ScoringError(NOT_KERAS)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "config.json" not in names or "model.weights.h5" not in names:
            raise ScoringError(
                NOT_KERAS + " (This zip file does not hold a Keras model's config.json "
                "and model.weights.h5.)"
            )
        if archive.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
            raise ScoringError("The model's configuration is too large to be a real model.")
        try:
            config = json.loads(archive.read("config.json"))
        except (ValueError, UnicodeDecodeError):
            raise ScoringError(NOT_KERAS + " (Its config.json is not valid JSON.)") from None
    _check_classes(config)
    return config


def _check_classes(node: object) -> None:
    """Walks the configuration: every serialized object must be a built-in Keras one."""
    if isinstance(node, list):
        for item in node:
            _check_classes(item)
        return
    if not isinstance(node, dict):
        return
    cls, module = node.get("class_name"), node.get("module")
    if cls == "Lambda" or cls == "__lambda__":
        name = (node.get("config") or {}).get("name", "lambda")
        raise ScoringError(LAMBDA.format(name=name))
    if isinstance(cls, str) and "module" in node and not _builtin(module, node):
        raise ScoringError(CUSTOM.format(cls=cls, module=module or "unknown"))
    for value in node.values():
        _check_classes(value)


def _builtin(module: object, node: dict) -> bool:
    registered = node.get("registered_name")
    if registered and "." not in str(registered) and registered == node.get("class_name"):
        registered = None
    if registered:
        return False
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))
