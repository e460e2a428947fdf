"""Extension points are registries: a format or an importer is a named entry whose code is
named as ``"module:function"`` and imported only when it is used, so listing the names (for
the CLI's choices and ``--help``) loads nothing. A package's public names are loaded the
same way (:func:`lazy_names`)."""

from __future__ import annotations

from importlib import import_module


def load(target: str):
    """The function named by ``"package.module:function"``."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def lazy_names(package: str, homes: dict[str, str]):
    """A module ``__getattr__`` for ``package`` that loads each name of ``homes`` (name ->
    its module in the package) on first use, so importing the package loads none of them."""

    def __getattr__(name: str):
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home}"), name)

    return __getattr__
