"""The ``labgrade`` command line."""
import argparse
import os
import sys
import warnings

from .course import DEFAULT_ROOT, Course, CourseError
from .sandbox import SandboxError

FLOW = """\
the grading flow, in order:
  labgrade release m1-ex1 --due "2026-03-02 17:00"   student version, into the exchange
  labgrade collect m1-ex1                            from the exchange ...
  labgrade collect m1-ex1 --from submissions.zip     ... or from a folder or zip
  labgrade autograde m1-ex1 --workers 4              grade in parallel, in a sandbox
  labgrade status m1-ex1                             every file and what became of it
  labgrade feedback m1-ex1                           one HTML file per learner
  labgrade export m1-ex1 --to grades.csv             grades and the trainer's summary

--lang fr works on the French version of an exercise (m1-ex1 --lang fr is m1-ex1-fr).
"""
LANGUAGES = ("en", "fr")

# A learner's kernel spends part of each submission waiting (its start, its messages), so one
# more worker than cores keeps every core busy: bench/grading.py, 30 submissions on 2 cores,
# 2 workers 1.71x plain nbgrader, 3 workers 2.10x, 4 workers 2.14x.
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1


def parser():
    main = argparse.ArgumentParser(
        prog="labgrade", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Grade Migration Statistics Lab exercises with nbgrader: release, "
                    "collect, autograde safely in parallel, feedback, export.",
        epilog=FLOW)
    main.add_argument("--course", default=str(DEFAULT_ROOT),
                      help="the nbgrader course folder (default: %(default)s)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    cmd = commands.add_parser("release", help="generate the student version and release it")
    cmd.add_argument("assignment")
    cmd.add_argument("--due", help="due date, e.g. '2026-03-02 17:00 UTC'; later is late")

    cmd = commands.add_parser("collect", help="collect submissions into submitted/")
    cmd.add_argument("assignment")
    cmd.add_argument("--from", dest="source", metavar="PATH",
                     help="a folder or zip of notebooks (default: the exchange)")
    cmd.add_argument("--mapping", metavar="CSV",
                     help="CSV with columns file,student_id to override derived ids")

    cmd = commands.add_parser("autograde", help="grade every collected submission")
    cmd.add_argument("assignment")
    cmd.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                     help="submissions graded at once (default: one more than the cores)")
    cmd.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    cmd.add_argument("--notebook-timeout", type=int, default=120,
                     help="seconds for the whole notebook (default 120)")
    cmd.add_argument("--memory", type=int, default=2048,
                     help="memory limit of the learner's code, in MB (default 2048)")

    cmd = commands.add_parser("feedback", help="one HTML feedback file per learner")
    cmd.add_argument("assignment")
    cmd.add_argument("--release", action="store_true",
                     help="also release the feedback to the exchange")

    cmd = commands.add_parser("export", help="grades CSV and the trainer's summary")
    cmd.add_argument("assignment")
    cmd.add_argument("--to", metavar="CSV", help="grades file (default: reports/<id>/grades.csv)")

    cmd = commands.add_parser("status", help="every submission and its state")
    cmd.add_argument("assignment")

    for cmd in commands.choices.values():
        cmd.add_argument("--lang", choices=LANGUAGES, default="en",
                         help="language of the exercise: fr works on ID-fr (default: en)")
    return main


def assignment_id(course, assignment, lang):
    """The id of ``assignment`` in language ``lang``: m1-ex1 in French is m1-ex1-fr."""
    if lang == "en" or assignment.endswith("-fr"):
        return assignment
    french = f"{assignment}-fr"
    if not (course.source_dir(french) / f"{french}.ipynb").exists():
        raise CourseError(f"{assignment} has no French version: there is no "
                          f"{course.source_dir(french)}/{french}.ipynb. Use the English "
                          f"exercise (leave out --lang fr), or translate it first.")
    return french


def run(args):
    course = Course(args.course)
    args.assignment = assignment_id(course, args.assignment, args.lang)
    if args.command == "release":
        from .release import release
        folder = release(course, args.assignment, args.due)
        print(f"released {args.assignment}: student version in {folder}")
    elif args.command == "collect":
        from .collect import collect_from_exchange, collect_from_path
        if args.source:
            ledger = collect_from_path(course, args.assignment, args.source, args.mapping)
        else:
            ledger = collect_from_exchange(course, args.assignment)
        counts = ledger.counts()
        print(f"{len(ledger.current())} learners collected; all files: "
              + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    elif args.command == "autograde":
        from .autograde import autograde
        from .worker import Limits
        limits = Limits(args.timeout, args.notebook_timeout, args.memory)
        ledger = autograde(course, args.assignment, max(1, args.workers), limits)
        counts = ledger.counts()
        print(f"{counts.get('graded', 0)} graded, {counts.get('failed', 0)} failed; "
              f"see 'labgrade status {args.assignment}'")
    elif args.command == "feedback":
        from .feedback import feedback, without_secret
        files = feedback(course, args.assignment, args.release)
        missing = [s for s, paths in files.items() if not paths]
        print(f"feedback for {len(files) - len(missing)} learners in {course.root / 'feedback'}")
        by_hand = without_secret(course, args.assignment) if args.release else []
        if by_hand:
            print("not released to the exchange (collected from a folder or zip, so nbgrader "
                  "cannot deliver it): send these learners their files from "
                  f"feedback/<student>/{args.assignment}/ yourself: " + ", ".join(by_hand))
        if missing:
            print("no feedback file for: " + ", ".join(missing))
            return 1
    elif args.command == "export":
        from .export import export
        for what, path in export(course, args.assignment, args.to).items():
            print(f"{what}: {path}")
    elif args.command == "status":
        from .report import status_lines
        print("\n".join(status_lines(course, args.assignment)))
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    try:
        return run(args)
    except (CourseError, SandboxError) as error:
        print(f"labgrade: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
