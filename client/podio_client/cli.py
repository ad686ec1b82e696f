"""`podio`: submit to a Podio competition from a terminal.

Exit status 0 on success, 1 when the server refused (its message is printed), 2 on a
usage error.
"""

import argparse
import csv
import getpass
import json
import os
import sys
from pathlib import Path

from podio_client.api import Podio, PodioError


def config_path() -> Path:
    base = os.environ.get("PODIO_CONFIG_DIR") or os.environ.get("XDG_CONFIG_HOME")
    folder = Path(base) if base else Path.home() / ".config"
    return (folder if os.environ.get("PODIO_CONFIG_DIR") else folder / "podio") / "config.json"


def save_config(url: str, token: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"url": url, "token": token}, file)
    path.chmod(0o600)
    return path


def client() -> Podio:
    path = config_path()
    if not path.exists():
        raise PodioError("Not logged in: run podio login --url https://your-podio-site")
    config = json.loads(path.read_text())
    return Podio(config["url"], config["token"])


def table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """Rows as aligned text columns (header, then one line per row)."""
    cells = [[title for _, title in columns]]
    cells += [
        ["" if row.get(key) is None else str(row.get(key)) for key, _ in columns] for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    )


def emit(args, rows, columns) -> None:
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(table(rows if isinstance(rows, list) else [rows], columns))


def progress_bar(sent: int, total: int) -> None:
    if not sys.stderr.isatty() and total < 1024 * 1024:
        return
    width = 30
    done = int(width * sent / total) if total else width
    sys.stderr.write(
        f"\rUploading [{'#' * done}{'.' * (width - done)}] {sent * 100 // max(total, 1):3d}%"
    )
    if sent >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


# --- commands -------------------------------------------------------------------


def cmd_login(args) -> None:
    if args.token:
        podio = Podio(args.url, args.token)
        podio.me()  # checks the token
    else:
        username = args.username or input("Username: ")
        podio = Podio.login(args.url, username, getpass.getpass("Password: "))
    path = save_config(args.url, podio.token)
    print(f"Logged in to {args.url}; token saved in {path}")


def cmd_competitions(args) -> None:
    emit(args, client().competitions(), [("slug", "SLUG"), ("title", "TITLE"), ("end_at", "ENDS")])


def cmd_download(args) -> None:
    for path in client().download(args.slug, args.path):
        print(path)


def cmd_submit(args) -> None:
    podio = client()

    def show(submission: dict) -> None:
        if not args.json:
            print(f"Submission {submission['id']}: {submission['status']}", file=sys.stderr)

    try:
        submission = podio.submit(
            args.slug,
            args.file,
            args.message,
            wait=args.wait,
            progress=progress_bar,
            on_status=show,
        )
    except PodioError:
        raise
    if args.json:
        print(json.dumps(submission, indent=2, ensure_ascii=False))
    elif args.wait:
        print(f"Scored: public score {submission['public_score']}")
    else:
        print(f"Submission {submission['id']} {submission['status']}")


def cmd_submissions(args) -> None:
    columns = [
        ("id", "ID"),
        ("created_at", "WHEN"),
        ("status", "STATUS"),
        ("public_score", "PUBLIC"),
        ("selected", "SELECTED"),
        ("description", "DESCRIPTION"),
    ]
    emit(args, client().submissions(args.slug), columns)


def cmd_select(args) -> None:
    submission = client().select(args.submission_id, not args.unselect)
    state = "selected" if submission["selected"] else "not selected"
    print(f"Submission {submission['id']} is {state} for the private leaderboard")


def cmd_leaderboard(args) -> None:
    rows = client().leaderboard(args.slug, private=args.private)
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["rank", "team", "score", "entries"])
        for row in rows:
            writer.writerow([row["rank"] or "", row["team"], row["score"], row["entries"]])
        return
    emit(args, rows, [("rank", "#"), ("team", "TEAM"), ("score", "SCORE"), ("entries", "ENTRIES")])


def cmd_report(args) -> None:
    podio = client()
    if args.file is not None:
        report = podio.report(args.slug, args.file, progress=progress_bar)
        if args.json:
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            print(
                f"Report {report['id']} received: {report['pages']} page(s), team {report['team']}"
            )
        return
    status = podio.report_status(args.slug)
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
        return
    state = "open" if status["open"] else "closed"
    print(f"Deadline {status['deadline']} ({state}); at most {status['max_pages']} page(s)")
    columns = [
        ("id", "ID"),
        ("uploaded_at", "WHEN"),
        ("uploaded_by", "BY"),
        ("pages", "PAGES"),
        ("original_name", "FILE"),
    ]
    print(table(status["versions"], columns) if status["versions"] else "No report uploaded yet.")
    grade = status["grade"]
    if grade:
        print()
        rows = [{**c, "points": f"{c['points']} / {c['max_points']}"} for c in grade["criteria"]]
        print(table(rows, [("title", "CRITERION"), ("points", "POINTS"), ("comment", "COMMENT")]))
        print(f"Total: {grade['total']} / {grade['maximum']}")
        if grade["comment"]:
            print(f"Comment: {grade['comment']}")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="podio", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON, for scripts")
    commands = main.add_subparsers(dest="command", required=True)

    def add_parser(name: str, **kwargs) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], **kwargs)

    login = add_parser("login", help="save your API token")
    login.add_argument("--url", required=True)
    login.add_argument("--token", help="paste the token from your profile page instead")
    login.add_argument("--username")
    login.set_defaults(run=cmd_login)
    add_parser("competitions", help="list competitions").set_defaults(run=cmd_competitions)
    download = add_parser("download", help="download the public files")
    download.add_argument("slug")
    download.add_argument("-p", "--path", default=".")
    download.set_defaults(run=cmd_download)
    submit = add_parser("submit", help="upload predictions (or a .keras model)")
    submit.add_argument("slug")
    submit.add_argument("file", type=Path)
    submit.add_argument("-m", "--message", default="")
    submit.add_argument("--wait", action="store_true", help="wait for the score")
    submit.set_defaults(run=cmd_submit)
    submissions = add_parser("submissions", help="your team's submissions")
    submissions.add_argument("slug")
    submissions.set_defaults(run=cmd_submissions)
    select = add_parser("select", help="select a submission for the final")
    select.add_argument("submission_id", type=int)
    select.add_argument("--unselect", action="store_true")
    select.set_defaults(run=cmd_select)
    board = add_parser("leaderboard", help="the leaderboard")
    board.add_argument("slug")
    board.add_argument("--private", action="store_true")
    board.add_argument("--csv", action="store_true")
    board.set_defaults(run=cmd_leaderboard)
    report = add_parser("report", help="upload the team's report (PDF), or show it and its grade")
    report.add_argument("slug")
    report.add_argument("file", type=Path, nargs="?", help="the PDF; without it, show the status")
    report.set_defaults(run=cmd_report)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except PodioError as error:
        print(f"podio: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"podio: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
