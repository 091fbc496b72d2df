"""Realistic, deterministic sample workbooks (``leadbook sample``): one per rep, with planted
defects and planted 撞单 (one customer in two reps' files), both listed in ``manifest.json``.

Everything comes from ``random.Random(seed)`` and ``as_of``, never the clock: the same arguments
give the same records and the same manifest. :func:`generate` returns the records without
writing (tests, benchmarks); :func:`make_sample` writes them with the template's writer.
Planted personal data (mobiles, e-mails, names) is kept masked in the results and the manifest.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from leadbook.core.atomic import atomic_path, check_target
from leadbook.core.config import TeamConfig, load_config
from leadbook.sample.build import build
from leadbook.sample.records import SampleData, SampleResult, mask


def generate(
    *,
    reps: int | None = None,
    leads: int = 150,
    seed: int = 7,
    defects: float = 0.05,
    as_of: datetime,
    config: TeamConfig | None = None,
    duplicates: int | None = None,
) -> SampleData:
    """The sample's records, one book per rep, without writing anything (``reps`` None: one
    per rep of the config, 12 when it names none)."""
    config = config or load_config()
    if reps is None:
        reps = len(config.team) or 12
    if reps < 1 or leads < 1 or not 0 <= defects <= 1 or as_of.tzinfo is not None:
        raise ValueError("need reps >= 1, leads >= 1, 0 <= defects <= 1 and a naive as_of")
    if duplicates is None:
        duplicates = max(1, reps // 2) if reps >= 2 else 0
    if duplicates and (reps < 2 or duplicates * 2 > reps * leads):
        raise ValueError(f"cannot plant {duplicates} duplicates in {reps} x {leads} leads")
    rng = random.Random(seed)
    return build(rng, config, as_of, reps, leads, defects, duplicates)


def make_sample(
    out_dir: Path,
    *,
    reps: int | None = None,
    leads: int = 150,
    seed: int = 7,
    defects: float = 0.05,
    as_of: datetime,
    config: TeamConfig | None = None,
    duplicates: int | None = None,
    force: bool = False,
) -> SampleResult:
    """Write one workbook per rep and ``manifest.json`` into ``out_dir``: a rep of the config
    with a code as ``ZH.xlsx`` (that rep's workbook: IDs with the code), any other as
    ``rep01.xlsx`` ...."""
    from leadbook.workbook.template import write_workbook  # xlsxwriter: only when writing

    params = {"reps": reps, "leads": leads, "seed": seed, "defects": defects}
    data = generate(**params, as_of=as_of, config=config, duplicates=duplicates)
    params["reps"] = len(data.books)  # None: the config's reps
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / "manifest.json"
    for target in [out_dir / b.file for b in data.books] + [manifest]:
        check_target(target, force)  # refuse before writing anything
    paths = [
        write_workbook(
            out_dir / b.file,
            config=data.config,
            register=b.register,
            log=b.log,
            force=force,
            created=as_of,
            rep=data.config.rep(b.rep),
        )
        for b in data.books
    ]
    with atomic_path(manifest, force=force) as tmp:
        tmp.write_text(manifest_json(data, params | {"as_of": as_of}), encoding="utf-8")
    return SampleResult(paths, data.defects, data.duplicates, manifest)


def manifest_json(data: SampleData, params: dict[str, Any]) -> str:
    """The manifest: parameters, files, planted defects and duplicates (personal data masked)."""
    params = {("defect_rate" if k == "defects" else k): v for k, v in params.items()}
    if isinstance(params.get("as_of"), datetime):
        params["as_of"] = params["as_of"].isoformat(sep=" ", timespec="minutes")
    doc = {
        "generator": "leadbook.sample",
        "params": params,
        "files": [
            {
                "file": b.file,
                "rep": b.rep,
                **({"code": code} if (code := data.config.rep_code(b.rep)) else {}),
                "leads": len(b.register),
                "log_entries": len(b.log),
            }
            for b in data.books
        ],
        "defects": [asdict(d) | {"value": mask(d.value)} for d in data.defects],
        "duplicates": [asdict(d) for d in data.duplicates],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
