"""python -m grader.scoring --solution S.csv --submission P.csv --metric M: the scores as JSON.

Exit status 2 with the student's message on stderr when a file cannot be scored.
"""

import argparse
import json
import sys

from grader.scoring import METRICS, ScoringError, score_submission


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader.scoring", description=__doc__)
    parser.add_argument("--solution", help="the solution CSV (may hold a Usage column)")
    parser.add_argument("--submission", help="the prediction CSV (.csv, .csv.gz or .zip)")
    parser.add_argument("--metric", help="a metric name; see --list-metrics")
    parser.add_argument("--id-column", default="id")
    parser.add_argument("--target-column", help="needed when the solution has several")
    parser.add_argument("--public-fraction", type=float, help="without a Usage column")
    parser.add_argument("--seed", type=int, default=0, help="chooses the public rows")
    parser.add_argument("--list-metrics", action="store_true", help="list the metrics and exit")
    return parser


def _list_metrics() -> None:
    for metric in METRICS.values():
        better = "higher" if metric.higher_is_better else "lower"
        tasks = ",".join(sorted(metric.task_types))
        print(f"{metric.name}\t{metric.label}\t{metric.prediction_form}\t{tasks}\t{better}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list_metrics:
        _list_metrics()
        return 0
    if not (args.solution and args.submission and args.metric):
        parser.error("--solution, --submission and --metric are required")
    try:
        result = score_submission(
            args.solution,
            args.submission,
            args.metric,
            id_column=args.id_column,
            target_column=args.target_column,
            public_fraction=args.public_fraction,
            seed=args.seed,
        )
    except ScoringError as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps({"public": result.public, "private": result.private, "rows": result.rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
