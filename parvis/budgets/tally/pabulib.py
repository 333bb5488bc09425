"""Read and write Pabulib `.pb` files, the open format of participatory-budgeting votes.

A `.pb` file is `;`-separated CSV in three sections, each opened by its name on a row of its own
followed by a header row:

    META              key;value rows: budget, vote_type, num_projects, num_votes, min_length, ...
    PROJECTS          project_id;cost;... one row per project (name, category, target, ...)
    VOTES             voter_id;vote;... one row per ballot; `vote` lists project ids separated by
                      commas (ranked first to last for ordinal ballots); cumulative ballots add a
                      `points` column, one number per project of `vote`

The reading follows pabutools' parser (`pabutools.election.pabulib`), the reference of the
format, so that both read the same election from the same file: blank rows are skipped, a
section starts at a row whose first cell is its name (any case), the first column of PROJECTS is
the project id, `None` stands for an empty cell, costs and the budget may use a decimal comma.
It is stricter where pabutools would fail later or silently guess: an unknown or repeated project
in a vote, a negative cost, unreadable numbers, a choose-1 ballot with two projects, `vote` and
`points` of different lengths are errors, reported with their line number (`PabulibError`).

Writing (`pabulib_format`) is the inverse, used to publish ballots as open data: reading back
what it wrote gives the same election.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from fractions import Fraction
from pathlib import Path

from .election import VOTE_TYPES, Ballot, BallotLimits, Election, Project

SECTIONS = ("meta", "projects", "votes")

_LIMIT_KEYS = {
    "min_length": int,
    "max_length": int,
    "min_sum_cost": Fraction,
    "max_sum_cost": Fraction,
    "min_points": Fraction,
    "max_points": Fraction,
    "min_sum_points": Fraction,
    "max_sum_points": Fraction,
}


class PabulibError(ValueError):
    """A `.pb` file that cannot be read: `reason` says why, `line` where (1-based, or None when
    the problem is the file as a whole, e.g. a missing section)."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


def pabulib_read(*, path: str | Path) -> Election:
    """Read the Pabulib file at `path` (UTF-8, with or without a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        return pabulib_parse(text=file.read())


def pabulib_parse(*, text: str) -> Election:
    """Read an election from the text of a Pabulib file. Raises PabulibError."""
    parser = _Parser()
    parser.feed(text.removeprefix("\ufeff"))
    return parser.election()


def pabulib_format(*, election: Election) -> str:
    """The Pabulib text of `election`.

    META gets the election's keys in order, with `budget`, `vote_type`, `num_projects`,
    `num_votes` and the ballot limits set from the election itself. Ballots without a
    `voter_id` get their position (1, 2, ...) as id. Cells holding `;` or quotes are quoted as
    CSV does, which pabutools reads back too.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.ballots))
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.vote_type
    for limit in dataclass_fields(BallotLimits):
        value = getattr(election.limits, limit.name)
        if value is not None:
            meta[limit.name] = format_number(Fraction(value))
    out.write("META\n")
    writer.writerow(("key", "value"))
    writer.writerows(meta.items())

    project_columns = _columns(election.project_columns, first="project_id", required=("cost",))
    out.write("PROJECTS\n")
    writer.writerow(project_columns)
    for project in election.projects:
        values = {"project_id": project.project_id, "cost": format_number(project.cost)}
        writer.writerow(
            [values.get(column) or project.fields.get(column, "None") for column in project_columns]
        )

    cumulative = election.vote_type == "cumulative"
    vote_columns = _columns(
        election.vote_columns,
        first="voter_id",
        required=("vote", "points") if cumulative else ("vote",),
    )
    if not cumulative:
        vote_columns = [column for column in vote_columns if column != "points"]
    out.write("VOTES\n")
    writer.writerow(vote_columns)
    for position, ballot in enumerate(election.ballots, start=1):
        values = {
            "voter_id": ballot.fields.get("voter_id") or str(position),
            "vote": ",".join(ballot.projects),
        }
        if cumulative:
            # pabutools reads an empty points cell as a number: an empty ballot says None
            points = ",".join(format_number(points) for points in ballot.points or ())
            values["points"] = points or "None"
        writer.writerow(
            [
                values[column] if column in values else ballot.fields.get(column, "None")
                for column in vote_columns
            ]
        )
    return out.getvalue()


def pabulib_write(*, election: Election, path: str | Path) -> None:
    """Write `election` to `path` as a Pabulib file (UTF-8)."""
    Path(path).write_text(pabulib_format(election=election), encoding="utf-8")


def format_number(value: Fraction | int) -> str:
    """An exact amount as Pabulib writes it: `1200`, `12.5`, or `1/3` when no decimal is exact
    (pabutools reads all three)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value.numerator) * 10**digits // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled // 10**digits}.{scaled % 10**digits:0{digits}d}"


def _columns(columns: tuple[str, ...], *, first: str, required: tuple[str, ...]) -> list[str]:
    result = [first, *(column for column in columns if column != first)]
    result.extend(column for column in required if column not in result)
    return result


class _Parser:
    """One pass over the rows of a file; keeps what it has read and where."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.seen: set[str] = set()
        self.projects: list[Project] = []
        self.project_ids: set[str] = set()
        self.project_columns: tuple[str, ...] = ()
        self.ballots: list[Ballot] = []
        self.vote_columns: tuple[str, ...] = ()
        self.last_vote_cell = 0
        self.vote_type = ""
        self.budget = Fraction(0)
        self.numbers: dict[str, Fraction] = {}

    def feed(self, text: str) -> None:
        reader = csv.reader(text.splitlines(), delimiter=";")
        rows = _numbered(reader)
        section = ""
        header: list[str] = []
        for line, row in rows:
            name = row[0].strip().lower()
            if name in SECTIONS:
                if name in self.seen:
                    raise PabulibError(f"second {name.upper()} section", line=line)
                self.seen.add(name)
                section = name
                header_line, header = next(rows, (line, []))
                header = [cell.strip() for cell in header]
                self._start(section, header, line=header_line, section_line=line)
            elif section == "meta":
                self._meta_row(row, line)
            elif section == "projects":
                self._project_row(row, header, line)
            elif section == "votes":
                self._vote_row(row, header, line)
            else:
                raise PabulibError(
                    f"{row[0][:40]!r} before any section (META, PROJECTS, VOTES)", line=line
                )

    def _start(self, section: str, header: list[str], *, line: int, section_line: int) -> None:
        if not header or not header[0]:
            raise PabulibError(f"{section.upper()} has no header row", line=line)
        if len(set(header)) != len(header):
            raise PabulibError(f"repeated column in the {section.upper()} header", line=line)
        if section == "projects":
            if "cost" not in header:
                raise PabulibError("PROJECTS header has no cost column", line=line)
            self.project_columns = tuple(header)
        elif section == "votes":
            self._settle_meta(section_line)
            if "vote" not in header:
                raise PabulibError("VOTES header has no vote column", line=line)
            if self.vote_type == "cumulative" and "points" not in header:
                raise PabulibError("cumulative VOTES header has no points column", line=line)
            if "projects" not in self.seen:
                raise PabulibError("VOTES before PROJECTS", line=section_line)
            self.vote_columns = tuple(header)
            self.last_vote_cell = max(
                header.index(column) for column in ("vote", "points") if column in header
            )

    def _meta_row(self, row: list[str], line: int) -> None:
        if len(row) < 2:
            raise PabulibError("a META row is key;value", line=line)
        key = row[0].strip()
        # A value with an unquoted ";" (a description, say) is kept whole, not cut at the ";".
        self.meta[key] = ";".join(row[1:]).strip()
        self.meta_lines[key] = line

    def _settle_meta(self, line: int) -> None:
        """Check the META keys the tally needs, once they have all been read."""
        if "vote_type" not in self.meta:
            raise PabulibError("META has no vote_type (META must come before VOTES)", line=line)
        self.vote_type = self.meta["vote_type"].lower()
        if self.vote_type not in VOTE_TYPES:
            raise PabulibError(
                f"unsupported vote_type {self.meta['vote_type']!r} "
                f"(supported: {', '.join(VOTE_TYPES)})",
                line=self.meta_lines["vote_type"],
            )
        if "budget" not in self.meta:
            raise PabulibError("META has no budget", line=line)
        self.budget = self._amount(
            self.meta["budget"].replace(",", "."), "budget", self.meta_lines["budget"]
        )

    def _project_row(self, row: list[str], header: list[str], line: int) -> None:
        self._check_width(row, header, line)
        project_id = row[0].strip()
        if not project_id or project_id.lower() == "none":
            raise PabulibError("a project has no id", line=line)
        if project_id in self.project_ids:
            raise PabulibError(f"project {project_id!r} appears twice", line=line)
        fields: dict[str, str] = {}
        cost = ""
        for key, cell in zip(header[1:], row[1:], strict=False):
            value = cell.strip()
            if key == "cost":
                cost = value
            elif value.lower() != "none":
                fields[key] = value
        if not cost or cost.lower() == "none":
            raise PabulibError(f"project {project_id!r} has no cost", line=line)
        amount = self._amount(cost.replace(",", "."), f"cost of project {project_id!r}", line)
        self.project_ids.add(project_id)
        self.projects.append(Project(project_id=project_id, cost=amount, fields=fields))

    def _vote_row(self, row: list[str], header: list[str], line: int) -> None:
        self._check_width(row, header, line)
        if len(row) <= self.last_vote_cell:
            raise PabulibError(
                f"{len(row)} cells: the row ends before its vote"
                + (" and points" if self.vote_type == "cumulative" else ""),
                line=line,
            )
        fields: dict[str, str] = {}
        vote = points = ""
        for key, cell in zip(header, row, strict=False):
            value = cell.strip()
            if value.lower() == "none":
                continue
            if key == "vote":
                vote = value
            elif key == "points":
                points = value
            else:
                fields[key] = value
        chosen = tuple(part.strip() for part in vote.split(",")) if vote else ()
        unknown = set(chosen) - self.project_ids
        if unknown:
            raise PabulibError(f"vote for unknown project {min(unknown)!r}", line=line)
        if len(set(chosen)) != len(chosen):
            raise PabulibError("a vote names the same project twice", line=line)
        if self.vote_type == "choose-1" and len(chosen) > 1:
            raise PabulibError("a choose-1 vote names more than one project", line=line)
        if self.vote_type != "cumulative":
            self.ballots.append(Ballot(projects=chosen, fields=fields))
            return
        numbers = tuple(points.split(",")) if points else ()
        if len(numbers) != len(chosen):
            raise PabulibError(
                f"{len(chosen)} projects in vote but {len(numbers)} numbers in points", line=line
            )
        values = tuple(self._amount(number.strip(), "points", line) for number in numbers)
        self.ballots.append(Ballot(projects=chosen, points=values, fields=fields))

    def _check_width(self, row: list[str], header: list[str], line: int) -> None:
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise PabulibError(f"{len(row)} cells for a header of {len(header)} columns", line=line)

    def _amount(self, text: str, what: str, line: int) -> Fraction:
        """A non-negative exact number; the few distinct values of a file are parsed once."""
        value = self.numbers.get(text)
        if value is None:
            try:
                value = Fraction(text)
            except (ValueError, ZeroDivisionError):
                raise PabulibError(f"{what} is not a number: {text[:40]!r}", line=line) from None
            if value < 0:
                raise PabulibError(f"{what} is negative: {text!r}", line=line)
            self.numbers[text] = value
        return value

    def election(self) -> Election:
        for section in SECTIONS:
            if section not in self.seen:
                raise PabulibError(f"no {section.upper()} section")
        limits = {}
        for key, kind in _LIMIT_KEYS.items():
            raw = self.meta.get(key, "")
            if raw and raw.lower() != "none":
                try:
                    value = kind(raw.replace(",", ".") if kind is Fraction else raw)
                except ValueError:
                    raise PabulibError(
                        f"{key} is not a number: {raw[:40]!r}", line=self.meta_lines[key]
                    ) from None
                limits[key] = value
        return Election(
            vote_type=self.vote_type,
            budget=self.budget,
            projects=tuple(self.projects),
            ballots=tuple(self.ballots),
            meta=self.meta,
            limits=BallotLimits(**limits),
            project_columns=self.project_columns,
            vote_columns=self.vote_columns,
        )


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of `reader` with the (1-based) line each ends on."""
    for row in reader:
        if row and (len(row) > 1 or row[0].strip()):
            yield reader.line_num, row
