import click

from papernotes.cli.common import emit_json


@click.command()
@click.option("--taxonomy", is_flag=True, help="Schema of tags.yaml instead of a paper record.")
def command(taxonomy: bool) -> None:
    """Print the JSON Schema of a paper record (papers/ID.yaml), for editors and CI.

    \b
    Example (VS Code YAML extension, in a record's first line):
      papernotes schema > paper.schema.json
      # yaml-language-server: $schema=./paper.schema.json
    """
    from papernotes.model.record import Paper
    from papernotes.model.taxonomy import TaxonomyFile

    model = TaxonomyFile if taxonomy else Paper
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "papernotes taxonomy (tags.yaml)" if taxonomy else "papernotes paper record"
    emit_json(schema)
