"""Nothing is lost: a merge killed at any moment leaves the old master or the complete new
one, never a partial file; two merges writing one output at once leave one of the two complete
outputs; and no command ever changes the bytes of its inputs.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF

from leadbook.cli import cli
from leadbook.read.reader import expand_paths
from leadbook.sample.make import generate, make_sample

REPS, LEADS, SEED = 8, 40, 7
KILLS = 24  # killed merges (time-bounded: at most KILL_BUDGET seconds)
KILL_BUDGET = 45.0
AS_OF_TEXT = AS_OF.strftime("%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def reps(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("nothing-lost") / "reps"
    make_sample(folder, reps=REPS, leads=LEADS, seed=SEED, as_of=AS_OF)
    return folder


def merge_command(inputs: list[Path], out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "leadbook",
        "merge",
        *map(str, inputs),
        "-o",
        str(out),
        "--force",
        "--as-of",
        AS_OF_TEXT,
    ]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register_rows(path: Path) -> int:
    """The master's register rows, read by openpyxl (a partial file does not open)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb["线索台账"]
        return sum(
            1
            for row in ws.iter_rows(min_row=3, values_only=True)
            if any(v not in (None, "") for v in row)
        )
    finally:
        wb.close()


def temps(folder: Path, name: str = "master.xlsx") -> list[Path]:
    return sorted(folder.glob(f".{name}.*.tmp"))


def watch(command: list[str], folder: Path, kill_after=None) -> tuple[float, float, float]:
    """Run ``command``: (its life, when its temp output appeared, when that was renamed), in
    seconds from its start (the last two are -1 when not seen).

    ``kill_after(now, temp_seen_at)`` returns True to SIGKILL it there.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = gone = -1.0
    while proc.poll() is None:
        now = time.perf_counter() - start
        present = bool(temps(folder))
        if seen < 0 and present:
            seen = now
        elif seen >= 0 > gone and not present:
            gone = now
        if kill_after is not None and kill_after(now, seen):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.002)
    return time.perf_counter() - start, seen, gone


def test_a_killed_merge_leaves_the_old_master_or_the_new_one(reps, tmp_path):
    files = sorted(reps.glob("*.xlsx"))
    out = tmp_path / "master.xlsx"
    subprocess.run(merge_command(files[:3], out), check=True, capture_output=True)
    old, old_rows = sha(out), register_rows(out)
    keep = tmp_path / "old-master.bak"
    shutil.copyfile(out, keep)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    life, written_at, renamed_at = watch(merge_command([reps], fresh / "master.xlsx"), fresh)
    new, new_rows = sha(fresh / "master.xlsx"), register_rows(fresh / "master.xlsx")
    assert new_rows > old_rows and 0 <= written_at < renamed_at
    window = renamed_at - written_at  # the temp file exists: the master is being written

    rng = random.Random(20240630)
    seen: Counter[str] = Counter()
    leftovers = 0
    budget = time.perf_counter() + KILL_BUDGET
    for i in range(KILLS):
        if time.perf_counter() > budget:
            break
        if i % 2:  # anywhere in the process's life (reading, validating, merging, writing)
            at = rng.uniform(0.05, life * 1.05)

            def kill(now, temp_at, at=at):
                return now >= at

        else:  # while it writes: after its temp file appeared, before it is renamed
            delay = rng.uniform(0, window * 1.2)

            def kill(now, temp_at, delay=delay):
                return temp_at >= 0 and now >= temp_at + delay

        watch(merge_command([reps], out), tmp_path, kill)
        digest = sha(out)
        if digest == old:
            seen["old"] += 1
        elif digest == new:
            seen["new"] += 1
        else:  # not byte-identical: it must still be a complete new master
            assert register_rows(out) == new_rows, f"kill {i}: a partial master"
            seen["new (equivalent)"] += 1
        left = temps(tmp_path)
        # A killed process leaves its temp file: hidden, .tmp, never taken for a workbook.
        others = [p.name for p in tmp_path.iterdir() if p.is_file()]
        assert sorted(others) == sorted(["master.xlsx", "old-master.bak", *(p.name for p in left)])
        assert out in expand_paths([str(tmp_path)]) and not set(left) & set(
            expand_paths([str(tmp_path)])
        )
        leftovers += len(left)
        for p in left:
            p.unlink()
        shutil.copyfile(keep, out)  # every kill starts from the old master
    assert sum(seen.values()) >= 8, seen
    print(f"\nkilled merges: {dict(seen)}; temp files left by killed runs: {leftovers}")
    assert seen["old"]  # (how many land after the rename depends on the machine's speed)


def test_two_merges_writing_one_output_at_once(reps, tmp_path):
    files = sorted(reps.glob("*.xlsx"))
    halves = [files[: REPS // 2], files[REPS // 2 :]]
    alone = []
    for i, half in enumerate(halves):
        folder = tmp_path / f"alone{i}"
        folder.mkdir()
        alone.append((half, folder / "master.xlsx"))
    procs = [subprocess.Popen(merge_command(h, o), stdout=subprocess.DEVNULL) for h, o in alone]
    assert [p.wait() for p in procs] == [0, 0]
    expected = {sha(o) for _, o in alone}
    assert len(expected) == 2

    out = tmp_path / "master.xlsx"
    for _ in range(2):
        procs = [subprocess.Popen(merge_command(h, out), stdout=subprocess.DEVNULL) for h in halves]
        assert [p.wait() for p in procs] == [0, 0]
        assert sha(out) in expected  # one of the two complete outputs, never a mix
        assert temps(tmp_path) == []


def into_command(inputs: list[Path], master: Path) -> list[str]:
    return [sys.executable, "-m", "leadbook", "merge", *map(str, inputs), "--into", str(master),
            "--as-of", AS_OF_TEXT]  # fmt: skip


def test_two_merges_into_one_master_at_once_keep_every_lead(reps, tmp_path):
    """Issue 11: two ``merge --into master.xlsx`` at once both said "wrote" and one rep's
    leads were gone. The master is locked while merged into: the second waits, then merges
    into the first one's result, so every lead of the three groups of files is there."""
    files = sorted(reps.glob("*.xlsx"))
    base, first, second = files[:2], files[2:5], files[5:]
    master = tmp_path / "master.xlsx"
    subprocess.run(merge_command(base, master), check=True, stdout=subprocess.DEVNULL)
    each = {}
    for name, group in (("base", base), ("first", first), ("second", second)):
        alone = tmp_path / f"{name}.xlsx"
        subprocess.run(merge_command(group, alone), check=True, stdout=subprocess.DEVNULL)
        each[name] = register_rows(alone)
    procs = [
        subprocess.Popen(into_command(group, master), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
        for group in (first, second)
    ]  # fmt: skip
    errors = [p.communicate()[1] for p in procs]
    results = [(p.returncode, err) for p, err in zip(procs, errors, strict=True)]
    assert [code for code, _ in results] == [0, 0], results
    assert register_rows(master) == sum(each.values())
    assert temps(tmp_path) == []


def test_into_takes_a_master_only(reps, tmp_path, runner):
    """A rep's own workbook given as --into would have become a master (its ID formulas
    gone): refused, with --force too, and the workbook is untouched."""
    rep = tmp_path / "rep01.xlsx"
    shutil.copyfile(reps / "rep01.xlsx", rep)
    before = sha(rep)
    for extra in ([], ["--force"]):
        result = runner.invoke(cli, ["merge", str(reps / "rep02.xlsx"), "--into", str(rep), *extra])
        assert result.exit_code == 2, result.output
        assert "不是 leadbook 合并出的主表" in result.output and "Traceback" not in result.output
    result = runner.invoke(
        cli, ["merge", str(reps / "rep02.xlsx"), "--into", str(rep), "--lang", "en"]
    )
    assert "not a master written by leadbook merge" in result.output
    assert sha(rep) == before


def test_no_output_may_be_an_input(reps, tmp_path, runner):
    """-o or --conflicts naming an input (by any path) is refused, --force or not."""
    inputs = tmp_path / "in"
    shutil.copytree(reps, inputs)
    victim = inputs / "rep03.xlsx"
    before = sha(victim)
    link = tmp_path / "alias.xlsx"
    link.symlink_to(victim)
    for args in (
        ["-o", str(victim), "--force"],
        ["-o", str(link), "--force"],
        ["-o", str(tmp_path / "m.xlsx"), "--conflicts", str(victim), "--force"],
    ):
        result = runner.invoke(cli, ["merge", str(inputs), *args])
        assert result.exit_code == 2, result.output
        assert "是本次的输入文件" in result.output
    assert sha(victim) == before


# ------------------------------------------------------------------- inputs unchanged
def snapshot(*folders: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``folders``: (sha256, mtime in ns, mode)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                found[str(path)] = (sha(path), st.st_mtime_ns, st.st_mode)
    return found


def test_no_command_changes_its_inputs(reps, tmp_path, runner):
    inputs = tmp_path / "inputs"
    shutil.copytree(reps, inputs / "reps")
    config = inputs / "team.toml"
    config.write_text("[validate]\nmax_file_mb = 50\n", encoding="utf-8")
    old_master = inputs / "last-week.xlsx"
    out = tmp_path / "out"
    out.mkdir()
    as_of = ["--as-of", AS_OF_TEXT]
    result = runner.invoke(
        cli, ["merge", str(inputs / "reps"), "-o", str(old_master), *as_of, "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    books = generate(reps=REPS, leads=LEADS, seed=SEED, as_of=AS_OF).books
    lead = books[0].register[0]["lead_id"]
    rep01, rep02 = inputs / "reps" / books[0].file, inputs / "reps" / books[1].file
    commands = {
        "validate --annotate": ["validate", str(inputs), "--annotate", str(out / "checked")],
        "validate --annotate into the inputs": [
            "validate",
            str(rep01),
            "--annotate",
            str(rep01.parent),
        ],
        "validate --format json": ["validate", str(inputs), "--format", "json"],
        "merge": [
            "merge",
            str(inputs),
            "-o",
            str(out / "master.xlsx"),
            "--conflicts",
            str(out / "conflicts.xlsx"),
        ],
        "merge (csv conflicts)": [
            "merge",
            str(inputs / "reps"),
            str(old_master),
            "-o",
            str(out / "master2.xlsx"),
            "--conflicts",
            str(out / "conflicts.csv"),
        ],
        "report": [
            "report",
            str(old_master),
            str(inputs / "reps"),
            "--html",
            str(out / "r.html"),
            "--xlsx",
            str(out / "r.xlsx"),
        ],
        "handoff": [
            "handoff",
            str(rep01),
            "--lead",
            lead,
            "--to",
            str(rep02),
            "--rep",
            "*王",
            "--out-dir",
            str(out),
        ],
        "sample": ["sample", str(out / "more"), "--reps", "2", "--leads", "10"],
    }
    before = snapshot(inputs)
    for name, args in commands.items():
        result = runner.invoke(cli, [*args, *as_of, "--config", str(config)])
        assert "Traceback" not in result.output, name
        assert result.exit_code in (0, 1, 2), (name, result.output)
        assert snapshot(inputs) == before, f"{name} changed an input"
    assert (out / "checked").is_dir() and (out / "master.xlsx").is_file()
    assert (out / "r.html").is_file() and any(out.glob("*.handoff.xlsx"))
    assert len(list((out / "more").glob("*.xlsx"))) == 2
