import click

from papernotes.cli.common import pass_env
from papernotes.cli.emit import emit, json_option
from papernotes.cli.render import topic_page_text, topic_page_view


@click.command()
@click.argument("tag")
@click.option(
    "--sort",
    type=click.Choice(["decision", "rating", "added", "id"]),
    default="decision",
    show_default=True,
    help="Order of the papers: decision (orals first, then by mean rating), mean rating, "
    "date added (newest first) or id.",
)
@json_option
@pass_env
def command(env, tag: str, sort: str, as_json: bool) -> None:
    """Everything about one topic: labels, parent and children, papers, notes, neighbours.

    TAG is a tag name, alias or label in any case (ntk, CNTK, 神经正切核). Papers
    include those with a child tag; notes are the files in notes/ that link the tag
    (#TAG) or its papers ([[ID]]); the last list is the tags its papers also carry.

    \b
    Examples:
      papernotes topic ntk
      papernotes topic 彩票假设 --sort rating
      papernotes topic GAN --json | jq -r '.papers[].id'
    """
    from papernotes.views.topics import topic_page

    page = topic_page(env.kb(), tag, sort=sort)
    emit(
        env,
        [],
        [],
        as_json=as_json,
        data=page,
        render=lambda out, _: topic_page_view(out, page),
        text=lambda: topic_page_text(page),
    )
