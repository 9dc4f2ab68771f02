"""Model metadata in the registry: our names and LiveSecBench's, validated before anything is
written, stored on the endpoint and copied onto the arena model."""

from __future__ import annotations

from datetime import date

import pytest

from judging.llm import RegistryError
from judging.model_metadata import check_release_date, check_url, split_metadata
from pipeline.runs.registry import endpoint_list, import_registry, save_endpoint
from storage.db.session import read_session, write_session
from storage.runs.endpoints import ensure_arena_model, list_endpoints, model_facts

REGISTRY = """
defaults:
  base_url: http://127.0.0.1:9/v1
models:
  - key: alpha
    model: alpha-1
    provider: 示例云
    release_date: 2026-01-15
    parameters: 72B
    url: https://example.org/alpha
    location: 国内
    open_source: true
  - key: beta
    model: beta-1
    model_name: Beta 安全版
    organization: MockAI Lab
    publish_time: "2024/02/01"
    model_detail_url: "https://mock.local/models/beta"
    location: 海外
    is_reasoning: true
    open_weights: false
    enabled: false
    parameters: 7
"""


def _write(tmp_path, text, name="models.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_accepts_metadata_and_livesecbench_names(engine, tmp_path):
    import_registry(engine, _write(tmp_path, REGISTRY))
    with read_session(engine) as session:
        rows = {r.key: r for r in list_endpoints(session=session) if r.key in ("alpha", "beta")}
    alpha, beta = rows["alpha"], rows["beta"]
    assert alpha.metadata is not None and beta.metadata is not None
    assert (alpha.metadata.provider, alpha.metadata.release_date, alpha.metadata.parameters) == (
        "示例云",
        "2026-01-15",
        "72B",
    )
    assert (alpha.metadata.url, alpha.metadata.location, alpha.open_source) == (
        "https://example.org/alpha",
        "国内",
        True,
    )
    assert (beta.display_name, beta.organisation, beta.reasoning, beta.open_source) == (
        "Beta 安全版",
        "MockAI Lab",
        True,
        False,
    )
    assert (beta.metadata.release_date, beta.metadata.url, beta.metadata.parameters) == (
        "2024-02-01",
        "https://mock.local/models/beta",
        "7",
    )
    assert beta.enabled is False  # LiveSecBench's enabled switch
    assert {i.config.key: i.enabled for i in endpoint_list(engine)}["beta"] is False


def test_the_arena_model_gets_the_endpoints_metadata(engine, tmp_path):
    import_registry(engine, _write(tmp_path, REGISTRY))
    with write_session(engine) as session:
        row = next(r for r in list_endpoints(session=session) if r.key == "alpha")
        # collection builds its row from the client's config, without metadata: the stored
        # endpoint's metadata is copied all the same
        ensure_arena_model(session=session, row=row.__class__(**{**row.__dict__, "metadata": None}))
    with read_session(engine) as session:
        facts = model_facts(session=session, keys=["alpha"])["alpha"]
    assert (facts.provider, facts.release_date, facts.parameters, facts.url, facts.location) == (
        "示例云",
        "2026-01-15",
        "72B",
        "https://example.org/alpha",
        "国内",
    )


def test_an_endpoint_without_metadata_keeps_the_models(engine, tmp_path):
    import_registry(engine, _write(tmp_path, REGISTRY))
    with write_session(engine) as session:
        ensure_arena_model(
            session=session, row=next(r for r in list_endpoints(session=session) if r.key == "alpha")
        )
    bare = "defaults:\n  base_url: http://127.0.0.1:9/v1\nmodels:\n  - key: alpha\n    model: alpha-1\n"
    import_registry(engine, _write(tmp_path, bare, "bare.yaml"))
    with write_session(engine) as session:
        ensure_arena_model(
            session=session, row=next(r for r in list_endpoints(session=session) if r.key == "alpha")
        )
    with read_session(engine) as session:
        facts = model_facts(session=session, keys=["alpha"])["alpha"]
    assert (facts.provider, facts.url) == ("示例云", "https://example.org/alpha")


def test_saving_from_the_admin_form_keeps_the_metadata(engine, tmp_path):
    import_registry(engine, _write(tmp_path, REGISTRY))
    config = next(i.config for i in endpoint_list(engine) if i.config.key == "alpha")
    save_endpoint(engine, config, actor="admin")
    with read_session(engine) as session:
        alpha = next(r for r in list_endpoints(session=session) if r.key == "alpha")
    assert alpha.metadata is not None and alpha.metadata.url == "https://example.org/alpha"


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("    release_date: 2026-13-01", "release_date", "no such date '2026-13-01'"),
        ("    publish_time: next spring", "publish_time", "must be a date YYYY-MM-DD, got 'next spring'"),
        ("    url: javascript:alert(1)", "url", "must be an http:// or https:// URL with a host"),
        ("    model_detail_url: ftp://x.org/a", "model_detail_url", "http:// or https://"),
        ("    url: https://ex ample.org", "url", "must not contain spaces"),
        ("    image_text_input: true", "image_text_input", "no counterpart here (the arena is text-only)"),
        ("    organization: A\n    organisation: B", "organisation", "given twice"),
        ("    provider: [1, 2]", "provider", "must be text"),
        ("    enabled: maybe", "enabled", "must be true or false"),
    ],
)
def test_bad_metadata_is_named_and_nothing_is_written(engine, tmp_path, line, field, message):
    before = len(endpoint_list(engine))
    text = (
        REGISTRY.replace('    publish_time: "2024/02/01"\n', "")
        .replace('    model_detail_url: "https://mock.local/models/beta"\n', "")
        .replace(
            "    enabled: false\n", "    enabled: maybe\n" if "enabled" in line else "    enabled: false\n"
        )
        .replace("    location: 海外\n", "    location: 海外\n" + ("" if "enabled" in line else line + "\n"))
    )
    with pytest.raises(RegistryError) as caught:
        import_registry(engine, _write(tmp_path, text))
    assert caught.value.field == field and caught.value.record == 2 and caught.value.key == "beta"
    assert message in str(caught.value) and "models.yaml" in str(caught.value)
    assert len(endpoint_list(engine)) == before


def test_date_and_url_checks():
    assert check_release_date(date(2025, 11, 20)) == "2025-11-20"
    assert check_release_date("2025/11/20") == check_release_date(" 2025-11-20 ") == "2025-11-20"
    assert check_release_date("") == ""
    for bad in ("2025-2-1", "20251120", 2025, "2025-02-30"):
        with pytest.raises(ValueError):
            check_release_date(bad)
    assert check_url("HTTPS://Example.org/a?b=1") == "HTTPS://Example.org/a?b=1"
    for bad in ("https://", "data:text/html,x", "//example.org", "https://a.org/\x00", 5):
        with pytest.raises(ValueError):
            check_url(bad)


def test_split_metadata_leaves_the_configuration_fields():
    config, meta = split_metadata({"key": "k", "model": "m", "organization": "O", "provider": "P"})
    assert config == {"key": "k", "model": "m", "organisation": "O"} and meta.provider == "P"


def test_site_model_cards_show_the_stored_metadata(engine, tmp_path):
    from pipeline.publish.site import ModelMetadata as FileMetadata
    from pipeline.publish.site import model_cards

    import_registry(engine, _write(tmp_path, REGISTRY))
    with write_session(engine) as session:
        row = next(r for r in list_endpoints(session=session) if r.key == "alpha")
        ensure_arena_model(session=session, row=row)
    (card,) = model_cards(engine, ("alpha",))
    assert (card.provider, card.release_date, card.parameters, card.location, card.url) == (
        "示例云",
        date(2026, 1, 15),
        "72B",
        "国内",
        "https://example.org/alpha",
    )
    assert card.open_weights is True
    # a site metadata file still overrides what the registry stored
    (override,) = model_cards(engine, ("alpha",), {"alpha": FileMetadata(provider="另一家")})
    assert override.provider == "另一家" and override.parameters == "72B"
