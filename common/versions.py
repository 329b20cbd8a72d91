"""Release versions: strict SemVer 2.0 with an optional ``v`` prefix kept for display.

``Version.parse("v1.2.3-rc.1+build.5")`` → compares by SemVer precedence (build metadata
ignored for ordering, as SemVer says), ``str()`` is the normalized form ``1.2.3-rc.1+build.5``
and ``display`` keeps the caller's spelling ``v1.2.3-rc.1+build.5``.
"""

from __future__ import annotations

import dataclasses
import re

import semver

from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["Version", "VersionRange", "parse_version"]

MAX_VERSION_LENGTH = 50  # seed 1: VARCHAR(50)
INVALID_VERSION = N_("Invalid version {version!r}: expected a semantic version like 1.2.3 or v1.2.3")
INVALID_RANGE = N_("Invalid version range {range!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class Version:
    """A parsed version; ordering and equality follow SemVer precedence."""

    semver: semver.Version
    display: str
    #: SemVer precedence as a plain tuple, compared natively (resolution compares a lot).
    precedence: tuple[object, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        v = self.semver
        pre = v.prerelease
        # a release sorts after its pre-releases; numeric identifiers before alphanumeric ones
        rank = (1,) if pre is None else (0, *((0, int(i)) if i.isdigit() else (1, i) for i in pre.split(".")))
        object.__setattr__(self, "precedence", (v.major, v.minor, v.patch, rank))

    @classmethod
    def parse(cls, text: str) -> Version:
        raw = (text or "").strip()
        body = raw[1:] if raw[:1] in ("v", "V") else raw
        if not body or len(raw) > MAX_VERSION_LENGTH:
            raise InvalidInput(INVALID_VERSION, error_code="INVALID_VERSION", version=raw)
        try:
            parsed = semver.Version.parse(body)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(INVALID_VERSION, error_code="INVALID_VERSION", version=raw) from exc
        return cls(parsed, raw)

    @property
    def normalized(self) -> str:
        return str(self.semver)

    @property
    def is_prerelease(self) -> bool:
        return self.semver.prerelease is not None

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Columns for ordering in SQL: a release sorts after its pre-releases (``~`` > any identifier)."""
        pre = self.semver.prerelease
        return (self.semver.major, self.semver.minor, self.semver.patch, _prerelease_key(pre) if pre else "~")

    def __str__(self) -> str:
        return self.normalized

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.precedence == other.precedence

    def __hash__(self) -> int:
        return hash(self.precedence)

    def __lt__(self, other: Version) -> bool:
        return self.precedence < other.precedence

    def __le__(self, other: Version) -> bool:
        return self.precedence <= other.precedence

    def __gt__(self, other: Version) -> bool:
        return self.precedence > other.precedence

    def __ge__(self, other: Version) -> bool:
        return self.precedence >= other.precedence


def _prerelease_key(prerelease: str) -> str:
    """A string whose lexical order matches SemVer pre-release precedence (numbers padded)."""
    parts = []
    for ident in prerelease.split("."):
        # numeric identifiers sort before alphanumeric ones and by value
        parts.append(f"0{int(ident):020d}" if ident.isdigit() else f"1{ident}")
    return ".".join(parts)


def parse_version(text: str) -> Version:
    return Version.parse(text)


_COMPARATOR = re.compile(r"^(>=|<=|>|<|==|=|!=|\^|~)?\s*(v?[0-9][^\s,]*)$")


@dataclasses.dataclass(frozen=True, slots=True)
class VersionRange:
    """A version range like ``>=1.0.0,<2.0.0``, ``^1.2``-free comparator lists, or ``*``.

    Comparators are joined with ``,`` or spaces (all must hold); ``||`` separates
    alternatives (any may hold). ``1.2.3`` alone means ``==1.2.3``.
    """

    text: str
    alternatives: tuple[tuple[tuple[str, Version], ...], ...]

    @classmethod
    def parse(cls, text: str | None) -> VersionRange:
        raw = (text or "").strip()
        if raw in ("", "*"):
            return cls(raw or "*", ())
        alternatives = []
        for alternative in raw.split("||"):
            comparators = []
            for token in re.split(r"[,\s]+", alternative.strip()):
                if not token:
                    continue
                match = _COMPARATOR.match(token)
                if not match:
                    raise InvalidInput(INVALID_RANGE, error_code="INVALID_VERSION_RANGE", range=raw)
                op = match.group(1) or "=="
                comparators.append(("==" if op == "=" else op, Version.parse(match.group(2))))
            if not comparators:
                raise InvalidInput(INVALID_RANGE, error_code="INVALID_VERSION_RANGE", range=raw)
            alternatives.append(tuple(comparators))
        return cls(raw, tuple(alternatives))

    def contains(self, version: Version) -> bool:
        if not self.alternatives:
            return True
        return any(all(_holds(version, op, bound) for op, bound in alt) for alt in self.alternatives)


def _holds(version: Version, op: str, bound: Version) -> bool:
    match op:
        case "==":
            return version == bound
        case "!=":
            return version != bound
        case ">":
            return version > bound
        case ">=":
            return version >= bound
        case "<":
            return version < bound
        case "<=":
            return version <= bound
        case "^":  # same major (or minor for 0.x), not below bound
            upper = (bound.semver.bump_major() if bound.semver.major else bound.semver.bump_minor())
            return bound <= version and version.semver.compare(upper) < 0
        case "~":  # same minor, not below bound
            return bound <= version and version.semver.compare(bound.semver.bump_minor()) < 0
    raise AssertionError(op)
