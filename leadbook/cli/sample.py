"""``leadbook sample``: write realistic sample workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from leadbook.cli.options import (
    CannotRun,
    as_of_option,
    config_option,
    message,
    messages_lang_option,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--reps",
    default=None,
    type=click.IntRange(1, 2000),
    help="How many reps, one workbook each (the config's reps first: a rep with a code gets "
    "ZH.xlsx and IDs with the code). Default: the config's reps, else 12.",
)
@click.option(
    "--leads",
    default=150,
    show_default=True,
    type=click.IntRange(1, 200_000),
    help="Leads per workbook on average: reps differ (0.6 to 1.5 times as many), the total is "
    "reps x leads.",
)
@click.option(
    "--seed",
    default=7,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same data.",
)
@click.option(
    "--defects",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of leads with one planted defect (listed in manifest.json).",
)
@as_of_option
@config_option
@click.option("--force", is_flag=True, help="Overwrite existing files in OUT_DIR.")
@messages_lang_option
def sample(out_dir, reps, leads, seed, defects, as_of, config_path, force, lang) -> None:
    """Write realistic sample workbooks, one per rep, into OUT_DIR.

    \b
    Plausible companies, regions, contacts, needs and follow-up logs, a few
    planted defects and a few customers in two reps' files (撞单), all listed
    in OUT_DIR/manifest.json. Deterministic for a seed and --as-of. With a team
    config's reps (--config), one workbook per rep, named by the rep's code
    (ZH.xlsx), its lead IDs carrying the code (EXPO20240521ZH001).

    \b
    Example:
      leadbook sample demo-out/reps --reps 12 --leads 150 --as-of 2024-06-30
      leadbook sample demo-out/team --config team.toml --as-of 2024-06-30
    """

    from leadbook.core.config import load_config
    from leadbook.sample.make import make_sample

    try:
        config = load_config(config_path)
        result = make_sample(
            out_dir,
            reps=reps,
            leads=leads,
            seed=seed,
            defects=defects,
            as_of=as_of,
            config=config,
            force=force,
        )
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        message(
            "sample_done",
            lang,
            books=len(result.paths),
            leads=leads,
            folder=out_dir,
            defects=len(result.defects),
            shared=len(result.duplicates),
            manifest=result.manifest,
        )
    )
