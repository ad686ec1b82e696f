"""The program that runs inside the sandbox: loads an uploaded Keras model with safe
mode, checks it against what the competition expects, and predicts the hidden inputs.

    python -m grader.scoring.keras_runner SPEC_JSON

SPEC_JSON names the model and inputs (files in the working directory), the expected
input shape and dtype, the number of outputs, the parameter limit and the memory
budget for batches. It writes ``outputs.npy`` and prints one JSON line: {"ok": ...}
or {"error": "a message for the student"}.
"""

import json
import sys

import numpy as np


class Refusal(Exception):
    """The model does not fit; the message is for the student."""


def _shape(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def load(spec: dict):
    import keras

    try:
        return keras.saving.load_model(spec["model"], safe_mode=True, compile=False)
    except (ValueError, TypeError) as error:
        text = str(error)
        if "Lambda" in text or "lambda" in text:
            raise Refusal(
                "This model contains a Lambda layer, which runs arbitrary code; replace it "
                "with built-in layers."
            ) from None
        raise Refusal(
            "Keras could not load this model safely: " + text.split("\n")[0][:300]
        ) from None


def check(model, spec: dict) -> None:
    expected_in = (None, *spec["input_shape"])
    inputs = model.inputs if hasattr(model, "inputs") else []
    if len(inputs) != 1:
        raise Refusal(f"The model must take one input; it takes {len(inputs)}.")
    got_in = tuple(inputs[0].shape)
    if len(got_in) != len(expected_in) or any(
        g is not None and g != e for g, e in zip(got_in[1:], expected_in[1:], strict=False)
    ):
        raise Refusal(
            f"The model's input shape is {_shape(got_in)}; this competition's inputs are "
            f"{_shape(expected_in)}."
        )
    got_out = tuple(model.outputs[0].shape) if len(model.outputs) == 1 else None
    allowed = spec["outputs"]  # accepted numbers of outputs per example
    width = 1 if got_out is not None and len(got_out) == 1 else (got_out or (0, 0))[-1]
    if got_out is None or len(got_out) > 2 or width not in allowed:
        wanted = " or ".join(_shape((None, n)) for n in allowed)
        raise Refusal(f"The model's output shape is {_shape(got_out or ())}; it must be {wanted}.")
    params = model.count_params()
    if params > spec["max_params"]:
        raise Refusal(f"The model has {params:,} parameters; the limit is {spec['max_params']:,}.")


def predict(model, spec: dict) -> np.ndarray:
    with np.load(spec["inputs"], allow_pickle=False) as data:
        x = data["x"].astype(spec["input_dtype"], copy=False)
    per_example = max(1, int(np.prod(x.shape[1:])) * x.dtype.itemsize)
    # A batch takes far less than the memory budget, activations included.
    batch = int(min(4096, max(16, spec["batch_memory"] // (per_example * 64))))
    outputs = model.predict(x, batch_size=batch, verbose=0)
    outputs = np.asarray(outputs, dtype=np.float64)
    if not np.isfinite(outputs).all():
        row = int(np.argmax(~np.isfinite(outputs).reshape(len(outputs), -1).all(axis=1)))
        raise Refusal(f"The model's output for input {row} is not a finite number.")
    return outputs


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        model = load(spec)
        check(model, spec)
        outputs = predict(model, spec)
    except Refusal as refusal:
        print(json.dumps({"error": str(refusal)}))
        return 2
    except MemoryError:
        print(json.dumps({"error": "out of memory"}))
        return 3
    np.save("outputs.npy", outputs, allow_pickle=False)
    print(json.dumps({"ok": True, "params": model.count_params(), "rows": len(outputs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
