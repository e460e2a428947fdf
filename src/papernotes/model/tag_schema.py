"""The pydantic models of ``tags.yaml`` (see :mod:`papernotes.model.taxonomy`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from papernotes.model.record import Strict

Text = Annotated[str, StringConstraints(min_length=1)]


class Tag(Strict):
    en: Text = Field(description="English label.")
    zh: Text = Field(description="Chinese label.")
    aliases: list[Text] = Field(
        default_factory=list, description="Other names, matched case-insensitively."
    )
    parent: Text | None = Field(default=None, description="Name of the parent tag.")
    description: Text = Field(description="One line saying what the tag covers.")


class TaxonomyFile(Strict):
    tags: dict[str, Tag] = Field(default_factory=dict)
