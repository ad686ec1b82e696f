"""Scoring a million rows: Podio against the bare floor and a TA's pandas script.

    .venv/bin/python bench/bench_scoring.py [--rows 1000000] [--sparse-ids]

Per metric, best of 3 in the same run:
  (a) floor: pyarrow reads both files, a pandas indexer aligns the ids, scikit-learn scores
      the Public and the Private rows;
  (b) the script a TA would write: pandas read_csv, merge, scikit-learn;
  (c) Podio's score_submission: read, check, align, Public and Private.
Targets: c/a at most 1.5, c/b below 1.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.scoring import score_submission

CASES = {  # metric: (scikit-learn function name, keyword arguments, regression?)
    "accuracy": ("accuracy_score", {}, False),
    "f1_macro": ("f1_score", {"average": "macro"}, False),
    "rmse": ("root_mean_squared_error", {}, True),
}


def _write(folder: Path, rows: int, regression: bool, sparse: bool) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    ids = rng.choice(10**12, rows, replace=False) if sparse else rng.permutation(rows)
    if regression:
        truth = rng.normal(50, 10, rows).round(3)
        predicted = (truth + rng.normal(0, 3, rows)).round(3)
    else:
        truth = rng.integers(0, 10, rows)
        predicted = np.where(rng.random(rows) < 0.7, truth, rng.integers(0, 10, rows))
    usage = np.where(rng.random(rows) < 0.3, "Public", "Private")
    solution, submission = folder / "solution.csv", folder / "submission.csv"
    pd.DataFrame({"id": ids, "target": truth, "Usage": usage}).to_csv(solution, index=False)
    order = rng.permutation(rows)
    frame = pd.DataFrame({"id": ids[order], "target": predicted[order]})
    frame.to_csv(submission, index=False)
    return solution, submission


def floor(solution: Path, submission: Path, metric) -> tuple[float, float]:
    usage_type = pa.dictionary(pa.int32(), pa.string())
    options = pcsv.ConvertOptions(column_types={"Usage": usage_type})
    truth_table = pcsv.read_csv(solution, convert_options=options)
    predicted_table = pcsv.read_csv(submission)
    index = pd.Index(truth_table.column("id").to_numpy())
    positions = index.get_indexer(predicted_table.column("id").to_numpy())
    predicted = np.empty(len(index), dtype=predicted_table.column("target").type.to_pandas_dtype())
    predicted[positions] = predicted_table.column("target").to_numpy()
    truth = truth_table.column("target").to_numpy()
    usage = truth_table.column("Usage").unify_dictionaries().combine_chunks()
    codes, names = usage.indices.to_numpy(), usage.dictionary.to_pylist()
    public, private = codes == names.index("Public"), codes == names.index("Private")
    return metric(truth[public], predicted[public]), metric(truth[private], predicted[private])


def pandas_script(solution: Path, submission: Path, metric) -> tuple[float, float]:
    truth = pd.read_csv(solution)
    merged = truth.merge(pd.read_csv(submission), on="id", suffixes=("", "_predicted"))
    public, private = merged["Usage"] == "Public", merged["Usage"] == "Private"
    return (
        metric(merged["target"][public], merged["target_predicted"][public]),
        metric(merged["target"][private], merged["target_predicted"][private]),
    )


def podio(solution: Path, submission: Path, name: str) -> tuple[float, float]:
    result = score_submission(solution, submission, name)
    return result.public, result.private


def _best(functions: list, repeat: int) -> list[tuple[float, tuple[float, float]]]:
    """Best time and scores of each function, run in turns so that a busy machine slows
    them all alike."""
    times = [[] for _ in functions]
    scores = [None for _ in functions]
    for _ in range(repeat):
        for i, function in enumerate(functions):
            started = time.perf_counter()
            scores[i] = function()
            times[i].append(time.perf_counter() - started)
    return [(min(t), s) for t, s in zip(times, scores, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many")
    parser.add_argument("--sparse-ids", action="store_true", help="random ids, not a range")
    args = parser.parse_args()
    import sklearn.metrics  # the 1.4 s import is no part of any measurement

    print(f"{args.rows:,} rows, ids {'sparse' if args.sparse_ids else 'a shuffled range'}")
    print(f"{'metric':<10}{'a floor':>10}{'b pandas':>10}{'c podio':>10}{'c/a':>8}{'c/b':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for name, (function, options, regression) in CASES.items():
            files = _write(Path(folder), args.rows, regression, args.sparse_ids)

            def metric(t, p, function=function, options=options):
                return getattr(sklearn.metrics, function)(t, p, **options)

            (a, expected), (b, merged), (c, got) = _best(
                [
                    lambda: floor(*files, metric),  # noqa: B023
                    lambda: pandas_script(*files, metric),  # noqa: B023
                    lambda: podio(*files, name),  # noqa: B023
                ],
                args.repeat,
            )
            assert np.allclose(expected, got, rtol=1e-9) and np.allclose(merged, got, rtol=1e-9)
            print(f"{name:<10}{a:>10.3f}{b:>10.3f}{c:>10.3f}{c / a:>8.2f}{c / b:>8.2f}")


if __name__ == "__main__":
    main()
