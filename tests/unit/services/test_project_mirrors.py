"""Mirrors as the console's editor lists them: one (region, URL) per row."""

from __future__ import annotations

import pytest

from common.errors import InvalidInput
from server.services.projects import mirrors_from_rows


def test_rows_become_mirrors_and_blank_rows_are_skipped() -> None:
    rows = [(" Default ", "https://dl.example.com/"), ("", " "), ("cn", " https://dl.example.cn/files ")]
    assert mirrors_from_rows(rows) == {"default": "https://dl.example.com", "cn": "https://dl.example.cn/files"}
    assert mirrors_from_rows([]) == {}


@pytest.mark.parametrize(("rows", "region"), [
    ([("cn", "https://a.example.cn"), ("CN", "https://b.example.cn")], "cn"),
    ([("", "https://a.example.cn")], ""),
    ([("cn", "")], "cn"),
    ([("cn", "ftp://a.example.cn")], "cn"),
])
def test_a_bad_or_repeated_row_is_refused_naming_its_region(rows, region) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        mirrors_from_rows(rows)
    assert caught.value.error_code == "INVALID_MIRROR"
    assert f"'{region}'" in caught.value.translated("en")
    assert "地区" in caught.value.translated("zh_CN")
