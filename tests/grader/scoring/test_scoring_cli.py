"""python -m grader.scoring, run as a real process."""

import json
import subprocess
import sys

import pytest

SOLUTION = "id,label,Usage\n1,cat,Public\n2,dog,Private\n3,cat,Public\n4,dog,Ignored\n"


def _run(request, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.scoring", *args],
        cwd=request.config.rootpath,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "solution.csv").write_text(SOLUTION)
    (tmp_path / "good.csv").write_text("id,label\n1,cat\n2,cat\n3,dog\n4,dog\n")
    (tmp_path / "bad.csv").write_text("id,label\n1,cat\n2,gato\n3,dog\n4,dog\n")
    return tmp_path


def test_good_file_prints_the_scores_as_json(request, files):
    done = _run(request, "--solution", str(files / "solution.csv"), "--submission",
                str(files / "good.csv"), "--metric", "accuracy")  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"public": 0.5, "private": 0.0, "rows": 4}


def test_bad_file_exits_2_with_the_students_message(request, files):
    done = _run(request, "--solution", str(files / "solution.csv"), "--submission",
                str(files / "bad.csv"), "--metric", "accuracy")  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "Row 3: 'gato' is not one of the classes: cat, dog.\n"


def test_fraction_and_seed_split_a_solution_without_usage(request, files):
    (files / "plain.csv").write_text("id,y\n" + "".join(f"{i},{i}\n" for i in range(10)))
    (files / "zeros.csv").write_text("id,y\n" + "".join(f"{i},0\n" for i in range(10)))
    done = _run(request, "--solution", str(files / "plain.csv"), "--submission",
                str(files / "zeros.csv"), "--metric", "mae", "--public-fraction", "0.3",
                "--seed", "7")  # fmt: skip
    result = json.loads(done.stdout)
    assert result["rows"] == 10
    assert result["public"] is not None and result["private"] is not None


def test_list_metrics(request):
    done = _run(request, "--list-metrics")
    assert done.returncode == 0
    assert "accuracy\tAccuracy\tlabel\tbinary,multiclass\thigher" in done.stdout.splitlines()


def test_usage_error_comes_from_argparse(request):
    done = _run(request, "--metric", "accuracy")
    assert done.returncode == 2
    assert "--solution, --submission and --metric are required" in done.stderr


def test_the_command_line_imports_neither_django_nor_sklearn_up_front(request):
    code = "import sys, grader.scoring.__main__; print({'django', 'sklearn'} & set(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=request.config.rootpath,
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout == "set()\n"
