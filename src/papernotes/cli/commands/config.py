import click

from papernotes.cli.common import emit_json, json_option, pass_env


@click.command()
@click.option("--path", "path_only", is_flag=True, help="Print the config file's path only.")
@json_option
@pass_env
def command(env, path_only: bool, as_json: bool) -> None:
    """Show every setting, its value and where it comes from.

    Settings come from the command line, then PAPERNOTES_* variables, then the config
    file $XDG_CONFIG_HOME/papernotes/config.toml (~/.config/papernotes/config.toml; set
    PAPERNOTES_CONFIG to use another file), then $PAGER, $VISUAL, $EDITOR, $BROWSER,
    then the defaults. The file is TOML:

    \b
      root = "~/papers-kb"      # default knowledge base, used outside any other
      pager = "less -R"         # for 'show' ($PAGER otherwise)
      editor = "vim"            # for 'edit' and 'add --edit' ($VISUAL, $EDITOR otherwise)
      author = "Ada Lovelace"   # your name, for notes you write
      color = false             # never use colours
      browser = "firefox"       # for 'open' ($BROWSER, else the system's browser)

    \b
    Examples:
      papernotes config
      papernotes config --json | jq -r '.[] | select(.name == "root") .value'
    """
    from papernotes.cli.common import console, is_tty, plain, safe_text

    settings = env.settings()
    if path_only:
        click.echo(str(settings.path))
        return
    rows = settings.rows()
    if as_json:
        emit_json([row.to_dict() for row in rows])
        return
    exists = "" if settings.path.is_file() else " (none)"
    try:
        in_use = str(env.kb().root)
    except Exception as exc:  # noqa: BLE001 - config still shows the rest
        in_use = f"none ({exc})"
    if not is_tty():
        for row in rows:
            value = "" if row.value is None else str(row.value)
            click.echo(plain(f"{row.name}\t{value}\t{row.source}"))
        click.echo(plain(f"config file: {settings.path}{exists}"), err=True)
        click.echo(plain(f"knowledge base in use: {in_use}"), err=True)
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("setting", "value", "from", "what"):
        table.add_column(col, overflow="fold")
    for row in rows:
        value = "" if row.value is None else str(row.value)
        table.add_row(row.name, safe_text(value), safe_text(row.source), row.help)
    out = console(env)
    out.print(table)
    out.print(f"[dim]config file: {safe_text(str(settings.path))}{exists}[/]")
    out.print(f"[dim]knowledge base in use: {safe_text(in_use)}[/]")
