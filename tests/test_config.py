from pathlib import Path

import pytest

from leadbook.core.config import build_config, load_config
from leadbook.core.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_defaults():
    config = load_config()
    assert [c.code for c in config.channels] == ["EXPO", "WEB", "TEL", "REF", "OTH"]
    assert config.sla_hours == {"高潜力": 24.0, "中潜力": 48.0}
    assert config.dormancy_days == 90
    assert config.values("statuses") == (
        "待跟进",
        "跟进中",
        "待报价",
        "方案提交中",
        "商务谈判",
        "已成交",
        "已流失",
        "已休眠",
        "无效",
    )
    assert "qq.com" in config.personal_email_domains


def test_reference_lists_are_two_level():
    config = load_config()
    assert len(config.values("industry_sections")) == 20
    assert len(config.values("industry_divisions")) == 97
    assert "汽车制造业" in config.cascade("industry_divisions")["制造业"]
    assert len(config.values("provinces")) == 34
    assert "深圳市" in config.cascade("cities")["广东省"]


def test_the_example_config_documents_and_sets_every_key():
    config = load_config(REPO / "examples" / "team.toml")
    assert config.company == "华东区域销售部"
    assert config.reps == ("*张", "*李", "*王", "*赵")
    assert config.channel_code("线上广告") == "ADS"
    text = (REPO / "examples" / "team.toml").read_text(encoding="utf-8")
    defaults = (REPO / "schemas" / "defaults.toml").read_text(encoding="utf-8")
    import tomllib

    for key, value in tomllib.loads(defaults).items():
        assert key in tomllib.loads(text), key
        if isinstance(value, dict):
            for sub in value:
                assert sub in text, f"{key}.{sub}"


def test_a_config_overrides_one_list_and_keeps_the_others():
    config = build_config({"lists": {"loss_reasons": ["太贵", "其他"]}, "dormancy_days": 60})
    assert config.values("loss_reasons") == ("太贵", "其他")
    assert config.values("statuses")[0] == "待跟进"
    assert config.dormancy_days == 60
    assert config.digest != load_config().digest


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"dormancy_days": "ninety"}, "key 'dormancy_days': expected a whole number"),
        ({"dormancy_days": True}, "expected a whole number"),
        ({"sla_hours": {"高潜力": -1}}, "positive number of hours"),
        ({"sla_hours": {"超高潜力": 4}}, "not in lists.potential_levels"),
        ({"channels": [{"name": "展会", "code": "expo"}]}, "2-8 capital letters"),
        ({"channels": [{"name": "展会"}]}, "exactly 'name' and 'code'"),
        (
            {"channels": [{"name": "A", "code": "AA"}, {"name": "B", "code": "AA"}]},
            "duplicate code",
        ),
        ({"lists": {"statuses": []}}, "cannot be empty"),
        ({"lists": {"statuses": ["", "x"]}}, "non-empty text"),
        ({"privacy": {"allow_company_email": "yes"}}, "true or false"),
        ({"privacy": {"colour": 1}}, "unknown key 'colour'"),
        ({"status_groups": {"won": ["成交了"]}}, "not in lists.statuses"),
    ],
)
def test_a_bad_config_names_the_file_and_key(user, message):
    with pytest.raises(ConfigError, match=message) as info:
        build_config(user, "team.toml")
    assert str(info.value).startswith("team.toml")


def test_a_config_that_is_not_toml(tmp_path):
    bad = tmp_path / "team.toml"
    bad.write_text("reps = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_reps_with_codes_territory_and_capacity():
    config = build_config(
        {
            "reps": [
                {"name": "*张", "code": "ZH", "provinces": ["广东省"], "capacity": 3},
                {"name": "*李", "code": "LI", "industries": ["制造业"]},
            ]
        }
    )
    assert config.reps == ("*张", "*李")
    assert config.rep_code("*张") == "ZH" and config.rep_code("*王") is None
    assert config.rep("*张").provinces == ("广东省",) and config.rep("*张").capacity == 3
    assert config.rep("*李").industries == ("制造业",) and config.rep("*李").capacity is None


def test_reps_as_a_list_of_names_stay_valid():
    config = build_config({"reps": ["*张", "*李"]})
    assert config.reps == ("*张", "*李")
    assert [r.code for r in config.team] == [None, None]


@pytest.mark.parametrize(
    ("reps", "words"),
    [
        ([{"name": "*张", "code": "zh"}], "rep code 'zh'"),
        ([{"name": "*张", "code": "ZH"}, {"name": "*李", "code": "ZH"}], "duplicate code"),
        ([{"name": "*张"}, "*张"], "duplicate name"),
        ([{"code": "ZH"}], "reps #1"),
        ([{"name": "*张", "capacity": -1}], "capacity"),
        ([{"name": "*张", "provinces": "广东省"}], "provinces"),
    ],
)
def test_a_bad_rep_names_the_entry(reps, words):
    with pytest.raises(ConfigError) as err:
        build_config({"reps": reps}, "team.toml")
    text = err.value.text("en")
    assert "team.toml" in text and words in text
