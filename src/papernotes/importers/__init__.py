"""Importers: reading-notes files in, knowledge-base records out.

``source`` reads a file in any common encoding; ``parse`` turns text into entries
(pure); ``resolve`` gives each paper a title, catalog facts, note languages and
resolved links (pure); ``merge`` combines drafts with existing records without
taking anything away (pure); ``run`` ties them together and writes under the lock.
"""
