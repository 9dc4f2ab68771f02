"""The model registry: YAML and TOML files, validation messages naming file, record and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from judging.llm import EndpointConfig, MissingApiKey, ModelRegistry, RegistryError, load_registry

YAML_REGISTRY = """\
defaults:
  base_url: http://127.0.0.1:8600/v1
  api_key_env: MOCKLLM_API_KEY
models:
  - key: qingyun-care
    display_name: 青云 Care
    model: qingyun-care
    organisation: 示例实验室 A
    extra_params: {temperature: 0.0, max_tokens: 512}
  - key: local-qwen
    model: Qwen/Qwen2.5-7B-Instruct
    base_url: http://gpu-box:8000/v1
    api_key_env: null
    open_source: true
    reasoning: true
"""

TOML_REGISTRY = """\
[defaults]
base_url = "http://127.0.0.1:8600/v1"
api_key_env = "MOCKLLM_API_KEY"

[[models]]
key = "qingyun-care"
display_name = "青云 Care"
model = "qingyun-care"
organisation = "示例实验室 A"
extra_params = { temperature = 0.0, max_tokens = 512 }

[[models]]
key = "local-qwen"
model = "Qwen/Qwen2.5-7B-Instruct"
base_url = "http://gpu-box:8000/v1"
open_source = true
reasoning = true
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_registry_merges_defaults_into_every_record(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, "models.yaml", YAML_REGISTRY))
    care, qwen = registry.endpoints
    assert care == EndpointConfig(
        key="qingyun-care",
        display_name="青云 Care",
        base_url="http://127.0.0.1:8600/v1",
        model="qingyun-care",
        api_key_env="MOCKLLM_API_KEY",
        organisation="示例实验室 A",
        extra_params={"temperature": 0.0, "max_tokens": 512},
    )
    assert care.chat_url == "http://127.0.0.1:8600/v1/chat/completions"
    assert qwen.api_key_env is None  # an explicit null overrides the default: a keyless endpoint
    assert qwen.display_name == "local-qwen"  # defaults to the key
    assert (qwen.open_source, qwen.reasoning) == (True, True)


def test_toml_registry_reads_the_same_as_yaml(tmp_path: Path) -> None:
    from_toml = load_registry(write(tmp_path, "models.toml", TOML_REGISTRY))
    from_yaml = load_registry(write(tmp_path, "models.yaml", YAML_REGISTRY))
    # TOML has no null: local-qwen inherits the default key variable there.
    assert from_toml.keys == from_yaml.keys
    assert from_toml.endpoints[0] == from_yaml.endpoints[0]
    assert from_toml.get("local-qwen").api_key_env == "MOCKLLM_API_KEY"


@pytest.mark.parametrize(
    ("record", "field", "fragment"),
    [
        ("{key: m1, base_url: http://x/v1}", "model", "is required"),
        ("{key: m1, model: m, base_url: ftp://x}", "base_url", "http://"),
        ("{key: m1, model: m, base_url: http://x/v1, open_source: 'yes'}", "open_source", "true or false"),
        ("{key: m1, model: m, base_url: http://x/v1, temprature: 0.2}", "temprature", "unknown field"),
        ("{key: m1, model: m, base_url: http://x/v1, extra_params: {model: other}}", "extra_params", "model"),
        ("{key: 'has space', model: m, base_url: http://x/v1}", "key", "letters"),
        ("{key: m1, model: '', base_url: http://x/v1}", "model", "non-empty"),
    ],
)
def test_invalid_record_names_file_record_and_field(
    tmp_path: Path, record: str, field: str, fragment: str
) -> None:
    path = write(
        tmp_path, "models.yaml", f"models:\n  - {{key: ok, model: m, base_url: http://x/v1}}\n  - {record}\n"
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    error = caught.value
    assert (error.path, error.record, error.field) == (str(path), 2, field)
    assert str(path) in str(error) and "record #2" in str(error) and repr(field) in str(error)
    assert fragment in str(error)


def test_a_pasted_key_in_api_key_env_is_rejected_without_echoing_it(tmp_path: Path) -> None:
    secret = "sk-live-0123456789abcdef"
    path = write(
        tmp_path,
        "models.yaml",
        f"models:\n  - {{key: m1, model: m, base_url: http://x/v1, api_key_env: {secret}}}\n",
    )
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert caught.value.field == "api_key_env"
    assert secret not in str(caught.value)


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    record = "{key: m1, model: m, base_url: http://x/v1}"
    path = write(tmp_path, "models.yaml", f"models:\n  - {record}\n  - {record}\n")
    with pytest.raises(RegistryError, match=r"duplicate key \(first used by record #1\)"):
        load_registry(path)


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("models.yaml", "models: [", "not valid YAML"),
        ("models.toml", "[[models]\n", "not valid TOML"),
        ("models.json", "{}", "unknown file type"),
        ("models.yaml", "- just a list", "top level must be a mapping"),
        ("models.yaml", "models: []", "non-empty list"),
        ("models.yaml", "models:\n  - just a string", "record #1: must be a mapping"),
        (
            "models.yaml",
            "defaults: {key: x}\nmodels: [{key: a, model: m, base_url: http://x}]",
            "defaults.key",
        ),
        ("models.yaml", "model: []", "unknown top-level keys"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    with pytest.raises(RegistryError, match=fragment):
        load_registry(write(tmp_path, name, text))


def test_missing_file_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read file"):
        load_registry(tmp_path / "nope.yaml")


def test_select_all_some_and_unknown(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, "models.yaml", YAML_REGISTRY))
    assert registry.select("all") == registry.endpoints
    assert [e.key for e in registry.select("local-qwen, qingyun-care")] == ["local-qwen", "qingyun-care"]
    assert [e.key for e in registry.select(["qingyun-care"])] == ["qingyun-care"]
    with pytest.raises(KeyError, match="unknown endpoint key 'gpt-x'"):
        registry.select("qingyun-care,gpt-x")
    with pytest.raises(ValueError, match="no endpoint keys"):
        registry.select(" , ")


def test_registry_rejects_duplicates_built_in_code() -> None:
    endpoint = EndpointConfig(key="m", base_url="http://x/v1", model="m")
    with pytest.raises(ValueError, match="duplicate endpoint key 'm'"):
        ModelRegistry((endpoint, endpoint))


def test_extra_params_are_a_private_read_only_copy() -> None:
    stop = ["\n"]
    params = {"temperature": 0.5, "stop": stop}
    endpoint = EndpointConfig(key="m", base_url="http://x/v1", model="m", extra_params=params)
    stop.append("x")
    assert endpoint.extra_params["stop"] == ["\n"]
    with pytest.raises(TypeError):
        endpoint.extra_params["temperature"] = 1.0  # type: ignore[index]


def test_endpoint_validates_when_built_in_code() -> None:
    with pytest.raises(ValueError, match=r"EndpointConfig\('m'\): base_url"):
        EndpointConfig(key="m", base_url="127.0.0.1:8600", model="m")


def test_resolve_api_key_reads_the_given_environment_only() -> None:
    endpoint = EndpointConfig(key="m", base_url="http://x/v1", model="m", api_key_env="DEMO_KEY")
    assert endpoint.resolve_api_key({"DEMO_KEY": "k-123"}) == "k-123"
    with pytest.raises(MissingApiKey, match="DEMO_KEY") as caught:
        endpoint.resolve_api_key({"DEMO_KEY": ""})
    assert caught.value.endpoint == "m"
    keyless = EndpointConfig(key="m", base_url="http://x/v1", model="m")
    assert keyless.resolve_api_key({}) is None
