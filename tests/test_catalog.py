import tomllib

import pytest

from leadbook.core.catalog import HELP_LIMIT, load_catalog, parse_catalog
from leadbook.core.config import load_config
from leadbook.core.errors import ConfigError
from leadbook.core.paths import schema_file

SEED_REGISTER = {
    "lead_id": "线索编号",
    "channel": "来源渠道",
    "status": "线索状态",
    "company": "公司名称",
    "industry": "所属行业",
    "size": "公司规模",
    "contact": "姓名",
    "position": "职位",
    "office_phone": "办公电话",
    "im_account": "企业/钉钉账号",
    "need": "核心需求描述",
    "budget": "预算范围",
    "timeline": "项目时间节点",
    "decision": "决策流程",
    "last_owner": "最近跟进人",
    "last_contact_at": "最近跟进时间",
    "last_summary": "跟进内容摘要",
    "next_action": "下一步行动计划",
}


def raw_catalog() -> dict:
    with open(schema_file("fields.toml"), "rb") as fh:
        return tomllib.load(fh)


def test_every_seed_field_is_in_the_catalog_under_its_seed_label():
    catalog = load_catalog()
    for key, seed_label in SEED_REGISTER.items():
        assert seed_label in catalog.field(key).header_names, key
    address = next(c for c in catalog.composites if "公司地址" in c.labels)
    assert address.fields == ("province", "city")


def test_fields_the_seed_table_omits_are_there():
    keys = {f.key for f in load_catalog().register}
    wanted = {"potential", "created_at", "province", "city", "loss_reason", "website"}
    assert wanted | {"main_business", "current_products", "competitors"} <= keys


def test_log_sheet_fields():
    keys = [f.key for f in load_catalog().log]
    assert keys == [
        "lead_id",
        "owner",
        "contact_at",
        "method",
        "content",
        "status_to",
        "next_action",
        "due",
    ]


def test_every_field_is_fully_described():
    config = load_config()
    for fd in (*load_catalog().register, *load_catalog().log):
        assert fd.zh and fd.en and fd.help_zh and fd.help_en and fd.example, fd.key
        assert len(fd.help_zh) <= HELP_LIMIT and len(fd.help_en) <= HELP_LIMIT
        if fd.is_list and fd.list not in ("lead_ids", "reps"):
            assert config.values(fd.list), fd.key


def test_sensitive_and_scanned_fields():
    catalog = load_catalog()
    assert {f.key for f in catalog.register if f.sensitive} == {"budget", "decision"}
    assert catalog.field("need").scan_pii and catalog.field("last_summary").scan_pii
    assert not catalog.field("created_at").scan_pii


def test_columns_follow_group_order():
    catalog = load_catalog()
    order = [g.key for g in catalog.groups]
    positions = [order.index(f.group) for f in catalog.register]
    assert positions == sorted(positions)
    assert catalog.register[0].key == "lead_id"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["register"][1].update(type="colour"), "type 'colour'"),
        (lambda d: d["register"][1].update(colour="red"), "unknown key 'colour'"),
        (lambda d: d["register"][2].pop("list"), "needs 'list'"),
        (lambda d: d["register"][3].update(group="nowhere"), "group 'nowhere'"),
        (lambda d: d["register"].append(dict(d["register"][1])), "duplicate keys"),
        (lambda d: d["register"][1].update(help_zh="长" * 300), "longer than 255"),
        (lambda d: d["register"][1].update(pattern="("), "does not compile"),
    ],
)
def test_a_broken_catalog_is_refused_with_the_place(change, message):
    data = raw_catalog()
    change(data)
    with pytest.raises(ConfigError, match=message):
        parse_catalog(data)


def test_the_digest_changes_with_the_catalog():
    data = raw_catalog()
    before = parse_catalog(data).digest
    data["register"][5]["width"] = 99
    assert parse_catalog(data).digest != before
