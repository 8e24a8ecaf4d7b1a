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


def _render(table, template_name: str) -> str:
    from django.template.loader import get_template
    from django.test import RequestFactory

    return get_template(template_name).render({"table": table}, RequestFactory().get("/"))


def test_rows_written_in_python_are_the_markup_of_the_table_template():
    """``core/table_rows.html`` (each row's `html`) writes byte for byte what ``core/table.html`` does:
    escaping, numbers, links, attributes fixed per column or computed per cell, localize on and off."""
    from decimal import Decimal

    from django.utils.html import format_html

    class Table(SignatureCachedTable):
        name = tables.Column(attrs={"td": {"class": "name", "data-x": "a&b"}})
        amount = tables.Column(attrs={"td": {"class": "num"}, "th": {"class": "num"}})
        plain = tables.Column(accessor="amount", localize=False)
        local = tables.Column(accessor="amount", localize=True)
        marked = tables.Column(accessor="name", attrs={"td": {"class": lambda value: f"v-{len(value)}"}})
        html = tables.Column(accessor="name")
        missing = tables.Column(default="—")

        def render_html(self, value):
            return format_html("<b>{}</b>", value)

    data = [
        {"name": "An <script>", "amount": 1234567, "missing": None},
        {"name": "Bình & Chi", "amount": Decimal("1234.5"), "missing": ""},
        {"name": '"Dũng"', "amount": 0.25, "missing": "x"},
    ]
    for table_data in (data, []):  # rows, and the empty table's text
        assert _render(Table(table_data), "core/table_rows.html") == _render(Table(table_data), "core/table.html")
    page = _render(Table(data), "core/table_rows.html")
    assert "An &lt;script&gt;" in page and "<b>Bình &amp; Chi</b>" in page
    assert 'class="v-11"' in page and 'class="v-10"' in page  # the callable class, per cell


def test_row_attributes_fixed_per_column_are_computed_once_per_table():
    class Table(SignatureCachedTable):
        name = tables.Column(attrs={"td": {"class": "name"}})
        length = tables.Column(accessor="name", attrs={"td": {"data-n": lambda value: len(value)}})

    table = Table([{"name": "an"}, {"name": "bình"}])
    assert table._static_td_attrs() == {"name": 'class="name"'}  # the callable one is computed per cell
    html = "".join(row.html() for row in table.rows)
    assert 'data-n="2"' in html and 'data-n="4"' in html

    class ClassNames(Table):
        def get_column_class_names(self, classes_set, bound_column):
            return classes_set | {"extra"}

    assert ClassNames([{"name": "an"}])._static_td_attrs() == {}  # a table's own class names: per cell
