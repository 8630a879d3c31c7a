"""The policy check the central and every kiosk share (issue #14 finding 2).

The two payloads are the ones that stopped a fleet in the field trial: ``{"max_loans": 5}``
(a number where a table per patron category belongs) and ``"loan_days": "28"`` (text where a
whole number belongs). Both used to be accepted and crash every checkout afterwards.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.policy import Policy, Rule
from kiosk.policy_check import PolicyInvalid, parse_policy, policy_problems

ROOT = Path(__file__).resolve().parents[2]


def test_every_policy_the_code_can_write_passes():
    assert policy_problems(Policy().to_dict()) == []
    custom = Policy(rules=(Rule("child", "*", loan_days=14, max_items=5),), fee_items="ask")
    assert parse_policy(custom.to_dict()) == custom


def test_the_sample_config_policy_passes():
    sample = tomllib.loads((ROOT / "packaging" / "kiosk.sample.toml").read_text("utf-8"))
    assert policy_problems(sample.get("policy", {})) == []


def test_a_number_where_a_category_table_belongs_is_named():
    problems = policy_problems({"max_loans": 5})
    assert len(problems) == 1 and problems[0].startswith("max_loans: expected a table")


def test_text_where_a_number_belongs_is_named_in_its_rule():
    document = {"rules": [{"category": "*", "item_class": "*"}, {"loan_days": "28"}]}
    assert policy_problems(document) == [
        "rules[2].loan_days: expected a whole number, got text '28'"
    ]
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(document)
    assert caught.value.problems == policy_problems(document)


def test_a_setting_in_the_wrong_place_or_misspelt_is_refused():
    assert policy_problems({"loan_days": 28}) == ["loan_days: not a policy setting"]
    assert policy_problems({"rules": [{"loan_dyas": 28}]}) == [
        "rules[1].loan_dyas: not a rule setting"
    ]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"pin_required": "yes"}, "pin_required"),  # text is not true/false
        ({"pin_required": 1}, "pin_required"),
        ({"pin_max_attempts": True}, "pin_max_attempts"),  # true is not a number
        ({"pin_max_attempts": 0}, "pin_max_attempts"),  # 0 tries would lock every reader
        ({"max_fines_cents": -1}, "max_fines_cents"),
        ({"max_fines_cents": 10.5}, "max_fines_cents"),
        ({"afi_secured": 256}, "afi_secured"),  # AFI is one byte (ISO 28560 / ISO 15693)
        ({"fee_items": "maybe"}, "fee_items"),
        ({"renew_from": "tomorrow"}, "renew_from"),
        ({"hours": {"mon": "9-21"}}, "hours.mon"),
        ({"hours": {"monday": "09:00-21:00"}}, "hours.monday"),
        ({"max_loans": {"*": "10"}}, "max_loans.*"),
        ({"rules": []}, "rules"),
        ({"rules": [{"loanable": "no"}]}, "rules[1].loanable"),
        ({"rules": [{"loan_days": -7}]}, "rules[1].loan_days"),
        ([1, 2], "the policy"),
    ],
)
def test_each_wrong_value_is_named(document, field):
    problems = policy_problems(document)
    assert len(problems) == 1 and problems[0].startswith(field), problems


def test_every_problem_is_listed_not_only_the_first():
    document = {"max_loans": 5, "rules": [{"loan_days": "28"}], "pin_required": "yes"}
    assert [p.split(":")[0] for p in policy_problems(document)] == [
        "max_loans",
        "rules[1].loan_days",
        "pin_required",
    ]


def test_opening_hours_as_the_policy_reads_them_pass():
    hours = {"mon": "09:00-12:00,13:00-21:00", "tue": "closed", "sun": "00:00-24:00"}
    assert policy_problems({"hours": hours}) == []
