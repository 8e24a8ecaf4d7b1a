"""Names for an event's area (its unit path) on the audit pages.

The audit app sits below the administrative units (decision 0005), so it does not read them: the
geo app registers the function that names unit paths (`geo.selectors.unit_labels_by_path`) when it
is ready. Without one, a path reads as stored.
"""

from collections.abc import Callable, Iterable

_labeller: Callable[[Iterable[str]], dict[str, str]] | None = None


def register(labeller: Callable[[Iterable[str]], dict[str, str]]) -> None:
    global _labeller
    _labeller = labeller


def labels_for(paths: Iterable[str]) -> dict[str, str]:
    """``{path: name}`` for the given paths, read at once (one query with the geo app's labeller)."""
    paths = [path for path in paths if path]
    if _labeller is None:
        return {path: path for path in paths}
    return _labeller(paths)
