import pytest

from common.errors import InvalidInput
from common.platforms import canonical_platform
from common.versions import Version, VersionRange


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0", "1.0.1"),
        ("v1.2.0", "1.10.0"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-alpha.beta", "1.0.0-beta"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-rc.1", "1.0.0"),
        ("0.9.9", "v1.0.0-rc.1"),
    ],
)
def test_semver_precedence_and_sql_sort_key(lower: str, higher: str) -> None:
    low, high = Version.parse(lower), Version.parse(higher)
    assert low < high
    assert low.sort_key < high.sort_key


def test_v_prefix_kept_for_display_build_metadata_ignored_in_order() -> None:
    version = Version.parse("v1.2.3+build.7")
    assert version.display == "v1.2.3+build.7"
    assert version.normalized == "1.2.3+build.7"
    assert version == Version.parse("1.2.3+other")
    assert not version.is_prerelease and Version.parse("1.2.3-rc.1").is_prerelease


@pytest.mark.parametrize("bad", ["", "1.2", "1.2.3.4", "latest", "v", "01.2.3", "1.2.3-", "x" * 60])
def test_invalid_versions_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Version.parse(bad)
    assert info.value.error_code == "INVALID_VERSION"


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        (">=1.0.0,<2.0.0", "1.5.0", "2.0.0"),
        (">=1.0.0 <2.0.0", "v1.0.0", "0.9.0"),
        ("^1.2.0", "1.9.9", "2.0.0"),
        ("~1.2.0", "1.2.9", "1.3.0"),
        ("<1.0.0 || >=3.0.0", "3.1.0", "2.0.0"),
        ("1.2.3", "v1.2.3", "1.2.4"),
        ("*", "0.0.1", None),
    ],
)
def test_version_ranges(spec: str, inside: str, outside: str | None) -> None:
    rng = VersionRange.parse(spec)
    assert rng.contains(Version.parse(inside))
    if outside:
        assert not rng.contains(Version.parse(outside))


def test_bad_range() -> None:
    with pytest.raises(InvalidInput):
        VersionRange.parse(">=banana")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("linux", "amd64"), "linux-x86_64"),
        (("darwin", "arm64"), "darwin-aarch64"),
        (("windows", "386"), "windows-i686"),
        (("linux", "arm"), "linux-armv7"),
        (("windows-x86_64",), "windows-x86_64"),
        (("macos-aarch64",), "darwin-aarch64"),
        (("any",), "any"),
    ],
)
def test_platform_aliases(args: tuple[str, ...], expected: str) -> None:
    assert canonical_platform(*args) == expected


@pytest.mark.parametrize("bad", [("plan9", "amd64"), ("linux", "mips"), ("linux",)])
def test_unknown_platforms_are_refused(bad: tuple[str, ...]) -> None:
    with pytest.raises(InvalidInput):
        canonical_platform(*bad)


def test_precedence_agrees_with_the_semver_library_on_every_pair() -> None:
    spellings = ["1.0.0", "v1.0.0", "1.0.0+build.7", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                 "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-1", "1.0.0-0a", "1.0.0-a.1",
                 "1.0.0-a.1.2", "1.10.0", "2.0.0", "10.0.0"]
    parsed = [Version.parse(s) for s in spellings]
    for a in parsed:
        for b in parsed:
            expected = a.semver.compare(b.semver)
            assert (a < b, a == b, a > b, a <= b, a >= b) == (
                expected < 0, expected == 0, expected > 0, expected <= 0, expected >= 0), (a.display, b.display)
            assert (hash(a) == hash(b)) or expected != 0
