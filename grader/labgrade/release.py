"""Generate the student version of an assignment and release it to the exchange."""
from pathlib import Path

from nbgrader.utils import parse_utc
from traitlets.config import Config

from .course import CourseError


def release(course, assignment, duedate=None):
    """Run nbgrader's generate_assignment and release_assignment; set the due date."""
    course.check_source(assignment)
    result = course.api().generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise CourseError(f"nbgrader generate_assignment failed for {assignment}:\n"
                          + result.get("log", "") + result.get("error", ""))
    if duedate is not None:
        with course.gradebook() as gb:
            gb.update_or_create_assignment(assignment, duedate=parse_utc(duedate))
    Path(course.config.Exchange.root).mkdir(parents=True, exist_ok=True)
    force = Config({"ExchangeReleaseAssignment": {"force": True}})
    result = course.api(force).release_assignment(assignment)
    if not result["success"]:
        raise CourseError(f"nbgrader release_assignment failed for {assignment}:\n"
                          + result.get("log", "") + result.get("error", ""))
    return course.release_dir(assignment)
