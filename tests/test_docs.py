"""The generated docs are complete and committed up to date (STYLE.md 8)."""

from conftest import REPO

from leadbook.check.codes import CODES
from leadbook.core.catalog import load_catalog
from leadbook.docs import DOCS, codes_markdown, fields_markdown, main, stale_docs

FIX = "run `python -m leadbook.docs` and commit docs/"


def test_committed_docs_are_up_to_date():
    for name, make in DOCS.items():
        path = REPO / "docs" / name
        assert path.is_file(), f"docs/{name} is missing: {FIX}"
        assert path.read_text(encoding="utf-8") == make(), f"docs/{name} is stale: {FIX}"


def test_every_code_is_documented_in_both_languages():
    text = codes_markdown()
    for code in CODES.values():
        assert f"\n## {code.code}\n" in text
        for part in (code.title_zh, code.title_en, code.spec, code.severity):
            assert part in text
        for part in (code.message_zh, code.message_en, code.hint_zh, code.hint_en):
            assert " ".join(part.replace("|", "\\|").split()) in text
        for reason in code.reasons:
            assert f"`{reason.key}`" in text


def test_every_field_is_documented():
    text = fields_markdown()
    catalog = load_catalog()
    for field in (*catalog.register, *catalog.log):
        assert f"### {field.zh} · {field.en} (`{field.key}`)" in text
        assert field.help_zh in text and field.help_en in text
        if field.pattern:
            assert f"`{field.pattern}`" in text
    assert "展会、官网表单、电话推荐、老客户转介绍、其他" in text


def test_the_module_writes_and_checks(tmp_path, capsys):
    assert main(["--check", str(tmp_path)]) == 1
    assert "stale" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DOCS)
    assert stale_docs(tmp_path) == []
    assert main(["--check", str(tmp_path)]) == 0
    (tmp_path / "codes.md").write_text("old", encoding="utf-8")
    assert stale_docs(tmp_path) == ["codes.md"]
