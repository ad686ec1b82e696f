"""Each kind of bad file gets one specific sentence; good files in every accepted shape score."""

import gzip
import io
import tracemalloc
import zipfile
import zlib

import pytest

from grader.scoring import ScoringError, load_solution, score

IDS = range(1, 101)
SOLUTION = "id,label,Usage\n" + "".join(
    f"{i},{'cat' if i % 3 else 'dog'},{'Public' if i % 2 else 'Private'}\n" for i in IDS
)


def _csv(rows, header="id,label") -> bytes:
    return (header + "\n" + "".join(f"{row}\n" for row in rows)).encode()


def _perfect(ids=IDS) -> list[str]:
    return [f"{i},{'cat' if i % 3 else 'dog'}" for i in ids]


@pytest.fixture(scope="module")
def cats():
    return load_solution(SOLUTION.encode(), "accuracy")


def _message(solution, submission, **options) -> str:
    with pytest.raises(ScoringError) as caught:
        score(solution, submission, **options)
    return str(caught.value)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- ids ----------------------------------------------------------------------------------


def test_missing_ids_are_counted_with_examples(cats):
    rows = _perfect(i for i in IDS if i not in (17, 42, 99))
    assert _message(cats, _csv(rows)) == "3 ids are missing, for example 17, 42 and 99."


def test_one_missing_id_is_named(cats):
    assert _message(cats, _csv(_perfect(range(2, 101)))) == "Id 1 is missing."


def test_unknown_ids_name_their_rows(cats):
    rows = [*_perfect(), "500,cat", "0,dog"]
    assert _message(cats, _csv(rows)) == (
        "2 ids are not in the test set, for example 500 (row 102) and 0 (row 103)."
    )


def test_an_id_that_is_no_number_is_unknown(cats):
    rows = [*_perfect(range(1, 100)), "abc,cat"]
    assert _message(cats, _csv(rows)) == "Id 'abc' (row 101) is not in the test set."


def test_duplicated_id_names_its_rows(cats):
    rows = [*_perfect(), "17,cat"]
    assert _message(cats, _csv(rows)) == "Id 17 appears 2 times (rows 18 and 102)."


def test_empty_id(cats):
    rows = _perfect()
    rows[4] = ",cat"
    assert _message(cats, _csv(rows)) == "Row 6: the id is empty."


# --- header and shape ---------------------------------------------------------------------


def test_wrong_header_says_what_is_missing_and_unexpected(cats):
    message = _message(cats, _csv(_perfect(), header="id,prediction"))
    assert message == (
        "The header must be id,label; column 'label' is missing"
        " and column 'prediction' is not expected."
    )


def test_header_with_an_extra_column(cats):
    rows = [f"{row},x" for row in _perfect()]
    assert _message(cats, _csv(rows, header="id,label,notes")) == (
        "The header must be id,label; column 'notes' is not expected."
    )


def test_repeated_column_in_header(cats):
    rows = [f"{row},cat" for row in _perfect()]
    assert _message(cats, _csv(rows, header="id,label,label")) == (
        "Column 'label' appears more than once in the header."
    )


def test_semicolon_separated_file_gets_a_hint(cats):
    rows = [row.replace(",", ";") for row in _perfect()]
    assert _message(cats, _csv(rows, header="id;label")) == (
        "The header must be id,label; columns 'id' and 'label' are missing and column"
        " 'id;label' is not expected. The file separates values with semicolons; Podio needs"
        " commas."
    )


def test_row_with_too_many_values(cats):
    rows = _perfect()
    rows[9] += ",extra"
    assert _message(cats, _csv(rows)) == "Row 11 has 3 values, but the header has 2 columns."


def test_blank_row_in_the_middle(cats):
    rows = _perfect()
    rows.insert(3, "")
    assert _message(cats, _csv(rows)) == "Row 5 is empty; delete it."


def test_empty_file(cats):
    assert _message(cats, b"") == "The file is empty."
    assert _message(cats, b"\n \r\n") == "The file is empty."


def test_header_without_rows(cats):
    assert _message(cats, b"id,label\n\n") == "The file has a header but no rows."


def test_binary_junk(cats):
    assert _message(cats, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == (
        "This is not a CSV file: it holds binary data, not text."
    )


def test_not_utf8(cats):
    assert _message(cats, "id,label\n1,gatö\n".encode("latin-1")) == (
        "The file is not UTF-8 text (line 2 holds the byte 0xF6);"
        " save it as CSV (UTF-8) and upload that."
    )


def test_utf16(cats):
    assert _message(cats, _csv(_perfect()).decode().encode("utf-16")) == (
        "The file is UTF-16 text; save it as CSV (UTF-8) and upload that."
    )


# --- values -------------------------------------------------------------------------------


def test_empty_label(cats):
    rows = _perfect()
    rows[6] = "7,"
    assert _message(cats, _csv(rows)) == "Row 8: 'label' is empty."


def test_unknown_label_lists_the_classes(cats):
    rows = _perfect()
    rows[10] = "11,gato"
    assert _message(cats, _csv(rows)) == "Row 12: 'gato' is not one of the classes: cat, dog."


@pytest.fixture(scope="module")
def prices():
    truth = "id,price\n" + "".join(f"{i},{i * 1.5}\n" for i in range(1, 11))
    return load_solution(truth.encode(), "rmsle")


def _prices(value_at_row_4: str) -> bytes:
    values = [str(i) for i in range(1, 11)]
    values[2] = value_at_row_4
    return _csv([f"{i},{v}" for i, v in zip(range(1, 11), values, strict=True)], "id,price")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Row 4: 'abc' in column 'price' is not a number."),
        ("NA", "Row 4: 'NA' in column 'price' is not a number."),
        ("", "Row 4: 'price' is empty."),
        ("NaN", "Row 4: 'price' is nan; every row needs a number."),
        ("inf", "Row 4: 'price' is inf; it must be a finite number."),
        ("-0.5", "Row 4: 'price' is -0.5, but RMSLE needs predictions of 0 or more."),
    ],
)
def test_bad_number(prices, value, message):
    assert _message(prices, _prices(value)) == message


def test_numbers_may_be_padded_or_written_as_integers(prices):
    assert score(prices, _prices(" 3")).public == score(prices, _prices("3.0")).public


@pytest.fixture(scope="module")
def churn():
    truth = "id,churn\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 11))
    return load_solution(truth.encode(), "roc_auc")


def test_probability_out_of_range(churn):
    rows = [f"{i},0.5" for i in range(1, 11)]
    rows[5] = "6,1.2"
    assert _message(churn, _csv(rows, "id,churn")) == (
        "Row 7: 'churn' is 1.2, but a probability must be between 0 and 1."
    )


@pytest.fixture(scope="module")
def animals():
    truth = "id,animal\n" + "".join(
        f"{i},{['ant', 'bee', 'cat', 'dog'][i % 4]}\n" for i in range(8)
    )
    return load_solution(truth.encode(), "log_loss_multiclass")


def test_class_probability_columns_are_named_after_the_classes(animals):
    rows = [f"{i},0.5,0.5" for i in range(8)]
    assert _message(animals, _csv(rows, "id,cat,dog")) == (
        "The header must be id,ant,bee,cat,dog; columns 'ant' and 'bee' are missing."
    )


def test_class_probabilities_must_add_up_to_one(animals):
    rows = [f"{i},0.25,0.25,0.25,0.25" for i in range(8)]
    rows[2] = "2,0.3,0.3,0.3,0.3"
    assert _message(animals, _csv(rows, "id,ant,bee,cat,dog")) == (
        "Row 4: the class probabilities add up to 1.2, not 1;"
        " write them with more decimals or divide each by the row's sum."
    )


# --- compression and size limits ----------------------------------------------------------


def test_zip_with_two_files(cats):
    archive = _zip({"a.csv": _csv(_perfect()), "b.csv": b"x"})
    assert _message(cats, archive) == (
        "The .zip file must hold exactly one CSV file; it holds 2: a.csv, b.csv."
    )


def test_excel_workbook(cats):
    workbook = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
    assert _message(cats, workbook) == (
        "This is an Excel workbook; save it as CSV (UTF-8) and upload that."
    )


def test_zip_bomb_is_refused(cats):
    bomb = _zip({"p.csv": b"id,label\n" + b"1,cat\n" * 2_000_000})
    assert len(bomb) < 100_000
    assert _message(cats, bomb, max_bytes=1_000_000) == (
        "The file is larger than the limit of 1 MB once decompressed."
    )


def test_gzip_over_the_limit_is_refused_without_inflating_it_all(cats):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1_000_000)
    bomb = b"".join(compressor.compress(zeros) for _ in range(200)) + compressor.flush()
    tracemalloc.start()
    try:
        message = _message(cats, bomb, max_bytes=5_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "The file is larger than the limit of 5 MB once decompressed."
    assert peak < 20_000_000  # 200 MB once inflated


def test_plain_file_over_the_limit(cats):
    assert _message(cats, _csv(_perfect()), max_bytes=100) == (
        "The file is larger than the limit of 0.0001 MB once decompressed."
    )


def test_damaged_gzip(cats):
    damaged = gzip.compress(_csv(_perfect()))[:30]
    assert _message(cats, damaged) == (
        "The compressed file is damaged (Compressed file ended before the end-of-stream"
        " marker was reached)."
    )


# --- every accepted shape scores the same -------------------------------------------------


def test_accepted_shapes_score_alike(cats, tmp_path):
    plain = _csv(_perfect())
    (tmp_path / "p.csv").write_bytes(plain)
    shapes = [
        plain,
        str(tmp_path / "p.csv"),
        tmp_path / "p.csv",
        io.BytesIO(plain),
        gzip.compress(plain),
        _zip({"predictions.csv": plain}),
        _zip({"p.csv": plain, "__MACOSX/._p.csv": b"junk"}),
        b"\xef\xbb\xbf" + plain,  # Excel's byte-order mark
        plain.replace(b"\n", b"\r\n") + b"\r\n\r\n",
        _csv([",".join(reversed(row.split(","))) for row in _perfect()], "label,id"),
    ]
    results = {score(cats, shape) for shape in shapes}
    assert len(results) == 1
    assert results.pop().rows == 100
