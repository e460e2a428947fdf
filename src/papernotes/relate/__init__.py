"""How papers connect: explicit links, shared tags, similar content, mentions.

Pure core (no click, no rich, no index): ``related`` ranks neighbours, ``similarity``
weighs shared terms, ``mentions`` finds one paper's note naming another.
"""
