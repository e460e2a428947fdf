"""How papers connect: explicit links, shared tags, similar content, mentions, notes/.

Pure core (no click, no rich): ``related`` ranks neighbours, ``notes_md`` reads the
long-form notes, ``topics`` and ``stats`` summarise, ``graph`` exports the whole map.
"""
