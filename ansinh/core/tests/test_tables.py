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


def _log_entries():
    """Unsaved model instances: a choice field (``action_flag``), a foreign key, text to escape."""
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType(app_label="registry", model="household")
    return [
        LogEntry(pk=1, action_flag=ADDITION, object_repr="<b>An</b> & 'Bình'", content_type=kind),
        LogEntry(pk=2, action_flag=CHANGE, object_repr="", content_type=None),
        LogEntry(pk=3, action_flag=DELETION, object_repr='"Chi"', content_type=kind),
        LogEntry(pk=4, action_flag=CHANGE, object_repr="Dũng", content_type=kind),
        LogEntry(pk=5, action_flag=99, object_repr="?", content_type=kind),  # a value outside the choices
    ]


class _LogTable(SignatureCachedTable):
    flag = tables.Column(accessor="action_flag")
    text = tables.Column(accessor="object_repr", default="—")
    model = tables.Column(accessor="content_type__model", default="none")
    app = tables.Column(accessor="content_type__app_label")
    addition = tables.Column(accessor="is_addition")  # a method: django-tables2 calls it
    missing = tables.Column(accessor="no_such_attribute", default="·")
    repr_upper = tables.Column(accessor="object_repr", linkify=lambda record: f"/log/{record.pk}/?a=1&b=2")

    def render_repr_upper(self, value):
        return value.upper()


def test_cells_of_model_records_are_django_tables2s_in_both_languages():
    from django.utils import translation
    from django_tables2.rows import BoundRow

    from ansinh.core.tables import _SLOW

    for language in ("vi", "en"):
        with translation.override(language):
            table = _LogTable(_log_entries())
            for row in table.rows:
                stock = BoundRow(row.record, table=table)
                assert [cell for _c, cell in row.items()] == [cell for _c, cell in stock.items()], row.record.pk
            assert _render(_LogTable(_log_entries()), "core/table_rows.html") == _render(
                _LogTable(_log_entries()), "core/table.html"
            )
    plans = table._cell_plans(type(_log_entries()[0]))
    record = _log_entries()[0]
    assert plans["addition"].value(record, "en") is _SLOW and plans["missing"].value(record, "en") is _SLOW
    assert plans["flag"].value(record, "en") == "Addition"  # Django's label, once per value and language
    assert ("en", type(record), 1) in plans["flag"].labels
    page = _render(_LogTable(_log_entries()), "core/table_rows.html")
    assert "&lt;b&gt;An&lt;/b&gt; &amp; &#x27;Bình&#x27;" in page and "<b>An" not in page
    assert 'href="/log/1/?a=1&amp;b=2"' in page


def test_an_overridden_choice_display_is_called_for_every_cell(monkeypatch):
    from django.contrib.admin.models import LogEntry

    calls = []

    def display(self):
        calls.append(self.pk)
        return f"<{self.action_flag}>"

    monkeypatch.setattr(LogEntry, "get_action_flag_display", display, raising=False)
    table = _LogTable(_log_entries())
    cells = [dict((column.name, cell) for column, cell in row.items())["flag"] for row in table.rows]
    assert cells == ["<1>", "<2>", "<3>", "<2>", "<99>"] and calls == [1, 2, 3, 4, 5]
    assert "&lt;1&gt;" in _render(_LogTable(_log_entries()), "core/table_rows.html")


def test_records_that_are_not_models_keep_django_tables2s_own_path():
    from django_tables2.rows import BoundRow

    class Table(SignatureCachedTable):
        flag = tables.Column(accessor="action_flag")
        text = tables.Column(accessor="object_repr")

    table = Table([{"action_flag": 1, "object_repr": "<x>"}])
    assert table._cell_plans(dict) is None
    row = next(iter(table.rows))

    assert [c for _col, c in row.items()] == [c for _col, c in BoundRow(row.record, table=table).items()]
