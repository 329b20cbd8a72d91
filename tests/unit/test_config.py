from pathlib import Path

import pytest

from server.config import ConfigError, load_settings


def test_defaults_are_embedded_and_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.grpc_listen == "127.0.0.1:50051"
    assert settings.http_listen == "127.0.0.1:8080"
    assert settings.data_dir == tmp_path / "data"
    assert settings.storage_dir == tmp_path / "data" / "storage"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'upkeep.db'}"
    assert settings.public_url == "http://127.0.0.1:8080"


def test_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "upkeep.toml"
    config.write_text('default_project = "runpanel"\n[grpc]\nlisten = "0.0.0.0:6000"\n[http]\nlisten = "0.0.0.0:9000"\n')
    settings = load_settings(
        environ={"UPKEEP_CONFIG": str(config), "UPKEEP_HTTP_LISTEN": "127.0.0.2:9001", "UPKEEP_MAX_PAGE_SIZE": "50"}
    )
    assert settings.default_project == "runpanel"  # from the file
    assert settings.grpc_address == ("0.0.0.0", 6000)  # from a [section] table
    assert settings.http_address == ("127.0.0.2", 9001)  # environment wins over the file
    assert settings.max_page_size == 50  # cast to int
    assert settings.public_url == "http://127.0.0.2:9001"


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"UPKEEP_MAX_PAGE_SIZE": "many"}, "UPKEEP_MAX_PAGE_SIZE"),
        ({"UPKEEP_GRPC_LISTEN": "nowhere"}, "grpc_listen"),
        ({"UPKEEP_LOG_LEVEL": "LOUD"}, "log_level"),
    ],
)
def test_bad_values_fail_naming_the_key(environ: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings(environ=environ)


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "upkeep.toml"
    config.write_text("grpc_lisen = '127.0.0.1:1'\n")
    with pytest.raises(ConfigError, match="grpc_lisen"):
        load_settings(environ={}, config_file=config)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "upkeep.toml"
    config.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="upkeep.toml"):
        load_settings(environ={}, config_file=config)


def test_session_secret_is_generated_once(tmp_path: Path) -> None:
    settings = load_settings(environ={"UPKEEP_DATA_DIR": str(tmp_path)})
    first = settings.resolved_session_secret()
    assert len(first) >= 32
    assert load_settings(environ={"UPKEEP_DATA_DIR": str(tmp_path)}).resolved_session_secret() == first
