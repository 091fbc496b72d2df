"""Recognising one customer written in different ways (撞单 keys)."""

import pytest
from conftest import AS_OF

from leadbook.merge.company import company_key, im_key, phone_key
from leadbook.merge.duplicates import customer_groups
from leadbook.sample.make import generate


@pytest.mark.parametrize(
    "name",
    [
        "深圳市华创科技有限公司",
        "华创科技(深圳)有限公司",
        "华创科技股份有限公司",
        "深圳华创科技有限公司",
        "华创科技（深圳）有限公司",
        "广东省深圳市华创科技有限公司",
        "广东华创科技有限责任公司",
        "华创科技(中国)有限公司",
        "深圳华创科技集团有限公司",
        "华创科技集团",
        "深圳市 华创科技 有限公司",
        "华创科技有限公司深圳分公司",
        "华创科技【深圳】有限公司",
    ],
)
def test_one_company_written_many_ways(name):
    assert company_key(name) == "华创科技"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("华创科技有限公司", "华盛科技有限公司"),
        ("北京银行股份有限公司", "上海银行股份有限公司"),  # the place is the name
        ("华创科技有限公司", "华创电子有限公司"),
        ("深圳华创科技有限公司", "华创科技(集团)新材料有限公司"),
    ],
)
def test_different_companies_stay_apart(a, b):
    assert company_key(a) != company_key(b)


def test_keys_fold_width_case_and_spaces():
    assert company_key("ＨＵＡＣＨＵＡＮＧ　Tech Co., Ltd.") == company_key("Huachuang Tech")
    assert company_key("北京市朝阳区华创科技有限公司") == "华创科技"  # municipal district
    assert company_key("吉林省吉林市华创科技有限公司") == "华创科技"
    assert company_key("") == company_key(None) == ""
    assert company_key("有限公司") == "有限公司"  # nothing but a legal form: kept


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("0755-86001234", "075586001234"),
        ("0755-86001234-801", "075586001234"),  # extension dropped
        ("0755 8600 1234", "075586001234"),
        ("０７５５－８６００１２３４", "075586001234"),
        ("+86 755 86001234", "075586001234"),
        ("010-1234", ""),  # too short to identify anyone
        ("138****5678", ""),  # masked
        (None, ""),
    ],
)
def test_phone_key(phone, key):
    assert phone_key(phone) == key


def test_im_key():
    assert im_key(" WXID_HuaChuang ") == im_key("wxid_huachuang") == "wxid_huachuang"
    assert im_key("z***@qq.com") == "" and im_key("") == ""


def _keys(data):
    return [
        (company_key(r["company"]), phone_key(r["office_phone"]), im_key(r["im_account"]))
        for book in data.books
        for r in book.register
    ]


def test_no_false_pairs_among_2000_distinct_companies():
    data = generate(reps=20, leads=100, defects=0, duplicates=0, as_of=AS_OF, seed=11)
    keys = _keys(data)
    assert len(keys) >= 2000
    assert len({k[0] for k in keys}) == len(keys)  # the sample's companies are distinct
    assert customer_groups(keys) == []


def test_every_planted_duplicate_is_one_group():
    data = generate(reps=40, leads=30, defects=0, duplicates=20, as_of=AS_OF, seed=3)
    rows = [(b.file, r["lead_id"]) for b in data.books for r in b.register]
    groups = [{rows[i] for i in members} for members, _ in customer_groups(_keys(data))]
    for dup in data.duplicates:
        pair = {(file, lead_id) for file, lead_id, _ in dup.entries}
        assert any(pair <= g for g in groups), dup
    assert len(groups) == len(data.duplicates)


def test_groups_say_what_linked_them():
    keys = [("华创科技", "", ""), ("华创科技", "075586001234", ""), ("鼎盛", "075586001234", "x")]
    keys += [("恒瑞", "", "wx1"), ("宏达", "", "wx1"), ("孤", "", "")]
    found = sorted((sorted(m), sorted(k)) for m, k in customer_groups(keys))
    assert found == [([0, 1, 2], ["company", "office_phone"]), ([3, 4], ["im_account"])]
