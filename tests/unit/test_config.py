"""Config: declarations, line-accurate errors, the generated sample and `shufang config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import SETTINGS, ConfigError, load_text
from kiosk.config.sample import render_sample

ROOT = Path(__file__).resolve().parents[2]


def issues_of(text: str):
    with pytest.raises(ConfigError) as caught:
        load_text(text)
    return caught.value.issues


def test_every_setting_has_help_a_default_that_passes_its_own_type():
    for setting in SETTINGS:
        assert setting.help.strip(), setting.key
        assert setting.type.convert(setting.default) == setting.default


def test_keys_are_declared_once():
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))


def test_sample_file_is_the_generated_one():
    sample = ROOT / "packaging" / "kiosk.sample.toml"
    assert sample.read_text(encoding="utf-8") == render_sample(), (
        "regenerate with: shufang config sample > packaging/kiosk.sample.toml"
    )


def test_sample_loads_to_the_defaults():
    config = load_text(render_sample())
    assert all(config[s.key] == s.default for s in SETTINGS)


def test_empty_file_gives_defaults():
    assert load_text("")["ui.idle_timeout_s"] == 45


def test_type_error_reports_its_line():
    (issue,) = issues_of('[kiosk]\nid = "k1"\n\n[ui]\nidle_timeout_s = "soon"\n')
    assert issue.line == 5 and issue.key == "ui.idle_timeout_s"
    assert "expected an integer" in issue.message


def test_every_error_is_listed_not_just_the_first():
    text = (
        '[ui]\nidle_timeout_s = 5\nsounds = "yes"\n[kiosk]\nlanguage = "fr"\n'
        '[devices]\nrfid = "nonsense"\n'
    )
    found = {(i.line, i.key) for i in issues_of(text)}
    assert found == {
        (2, "ui.idle_timeout_s"),
        (3, "ui.sounds"),
        (5, "kiosk.language"),
        (7, "devices.rfid"),
    }


def test_unknown_key_suggests_the_near_one():
    (issue,) = issues_of("[kiosk]\nbrnach = 'x'\n")
    assert issue.line == 2 and "did you mean 'kiosk.branch'" in issue.message


def test_unknown_section_is_reported():
    (issue,) = issues_of("[printer]\nport = 'x'\n")
    assert issue.key == "printer.port" and issue.line == 2


def test_syntax_error_names_the_line():
    (issue,) = issues_of("[kiosk]\nid = \n")
    assert issue.line == 2 and "not valid TOML" in issue.message


def test_rules_array_fields_are_checked():
    text = "[policy]\n\n[[policy.rules]]\ncategory = 'adult'\nloan_days = -1\n"
    (issue,) = issues_of(text)
    assert issue.key == "policy.rules" and issue.line == 3 and "loan_days" in issue.message


def test_rules_array_rejects_unknown_fields():
    (issue,) = issues_of("[[policy.rules]]\ncolour = 'red'\n")
    assert "unknown field 'colour'" in issue.message


def test_cross_checks_afi_and_a_retired_signing_key_is_ignored():
    """ecard.signing_key_id went with kiosk-signed e-cards (#14): a config that still has
    it loads (an upgraded kiosk must start), and the value is not kept."""
    text = '[policy]\nafi_secured = 0x07\nafi_on_loan = 0x07\n[ecard]\nsigning_key_id = "k9"\n'
    found = {i.key for i in issues_of(text)}
    assert found == {"policy.afi_on_loan"}
    assert "ecard.signing_key_id" not in load_text('[ecard]\nsigning_key_id = "k9"\n').values


def test_ecard_keys_are_public_keys_not_secrets():
    (issue,) = issues_of('[ecard]\nkeys = { k1 = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0" }\n')
    assert issue.key == "ecard.keys"
    public = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"  # RFC 8032 7.1 TEST 1's public key
    assert load_text(f'[ecard]\nkeys = {{ k1 = "{public}" }}\n')["ecard.keys"] == {"k1": public}


def test_hex_afi_and_hours_are_read():
    config = load_text('[policy]\nafi_on_loan = 0xDA\nhours = { mon = "closed" }\n')
    assert config["policy.afi_on_loan"] == 0xDA
    assert config["policy.hours"] == {"mon": "closed"}


def test_bad_hours_are_refused():
    (issue,) = issues_of('[policy]\nhours = { mon = "8am to 9pm" }\n')
    assert issue.key == "policy.hours"


def test_unknown_time_zone_is_refused():
    (issue,) = issues_of('[kiosk]\ntimezone = "Mars/Olympus"\n')
    assert "unknown time zone" in issue.message


def test_cli_check_prints_each_problem_and_exits_1(tmp_path, capsys):
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[ui]\nidle_timeout_s = 1\nsounds = 2\n")
    assert main(["config", "check", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{bad}: line 2: ui.idle_timeout_s")
    assert out[1].startswith(f"{bad}: line 3: ui.sounds")


def test_cli_check_accepts_the_sample(capsys):
    assert main(["config", "check", str(ROOT / "packaging" / "kiosk.sample.toml")]) == 0
    assert capsys.readouterr().out.endswith(": ok\n")


def test_cli_check_missing_file(tmp_path, capsys):
    assert main(["config", "check", str(tmp_path / "nope.toml")]) == 1
    assert "file not found" in capsys.readouterr().out


def test_configuration_doc_has_the_generated_table():
    from kiosk.config.reference import render_reference

    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert render_reference() in doc, (
        "regenerate the table with: shufang config reference (between the settings markers)"
    )
