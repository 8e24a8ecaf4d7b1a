"""`SignatureCachedTable`: cells rendered as django-tables2 renders them, signatures read once."""

import django_tables2 as tables

from ansinh.core.tables import SignatureCachedTable


def test_render_functions_are_called_with_the_arguments_they_ask_for():
    class Table(SignatureCachedTable):
        name = tables.Column()
        both = tables.Column(accessor="name")
        catch_all = tables.Column(accessor="name")
        unknown = tables.Column(accessor="name")

        def render_name(self, value):
            return value.upper()

        def render_both(self, value, record):
            return f"{value}/{record['n']}"

        def render_catch_all(self, **kwargs):
            return ",".join(sorted(k for k in kwargs if k in {"value", "record", "table"}))

        def render_unknown(self, value, nonsense):
            return "never"

    for _ in range(2):  # the second table reads the cached signatures
        row = next(iter(Table([{"name": "an", "n": 1}]).rows))
        assert [cell for _column, cell in row.items()] == ["AN", "an/1", "record,table,value", None]
