import click

from papernotes.cli.common import json_option, pass_env
from papernotes.cli.complete import complete_paper_ids, complete_tags
from papernotes.cli.emit import format_option, output_option, write_output
from papernotes.export import EXPORTERS


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("selection", nargs=-1, type=click.UNPROCESSED, shell_complete=complete_paper_ids)
@format_option(EXPORTERS, "bibtex")
@click.option(
    "--tag",
    shell_complete=complete_tags,
    help="Only papers with this tag or one of its child tags (names, aliases, labels).",
)
@click.option(
    "--ids", is_flag=True, help="Treat every argument as a paper id (an error if one is not)."
)
@output_option(
    "Write to this file (atomically) instead of stdout; never into papers/, notes/ or tags.yaml."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the notes and headings in the Markdown reading list.",
)
@json_option
@pass_env
def command(
    env,
    selection: tuple[str, ...],
    fmt: str,
    tag: str | None,
    ids: bool,
    output: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Export papers as BibTeX, CSL-JSON, a Markdown reading list, JSON or YAML.

    SELECTION is a search query, in the syntax of 'papernotes search' (ntk -gan,
    tag:NTK year:2020, "exact phrase"), or paper ids: the arguments are ids when each
    names an existing paper, or when one is a URL or an arxiv:/doi:/url: id; --ids
    forces ids. --tag narrows either. Nothing selected means every paper. Citation
    keys (firstauthorYEARword) are the same in BibTeX and CSL-JSON and stay the same
    from run to run.

    \b
    Examples:
      papernotes export --tag ntk -o ntk.bib
      papernotes export -f csljson 收敛 > refs.json
      papernotes export -f markdown --tag LTH --lang zh > reading.md
      papernotes export -f bibtex H1gEP6NFwr HygrAR4tPS
      papernotes export -f json ntk -gan year:2020
    """
    from papernotes.cli.common import warn
    from papernotes.errors import UsageError
    from papernotes.export import render
    from papernotes.export.select import select

    for word in selection:
        if word.startswith("--") and len(word) > 2:  # '-gan' is a search word, '--x' a typo
            raise click.UsageError(f"No such option: {word}")
    if as_json:
        if fmt not in ("bibtex", "json"):
            raise UsageError(f"--json conflicts with --format {fmt}")
        fmt = "json"
    kb = env.kb()
    chosen = select(kb, selection, tag=tag, ids=ids, views=EXPORTERS[fmt].views)
    if chosen.problems:
        warn(
            f"{len(chosen.problems)} record(s) could not be loaded and are not exported; "
            "run 'papernotes validate'"
        )
    if not chosen.papers:
        warn("no paper matches the selection; the export is empty")
    text = render(kb, fmt, chosen, lang=lang)
    write_output(env, output, text, f"Exported {len(chosen.papers)} paper(s) to {output}")
