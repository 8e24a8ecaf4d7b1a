"""`ansinh.core.widgets.Select` writes exactly what Django's template-rendered select writes."""

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from ansinh.core.widgets import Select

CHOICES = [
    ("", "Tất cả"),
    ("a", "Xã Ái Thượng"),
    ("<b>&\"'", 'Nhãn <i>có</i> & "dấu"'),
    (3, 1234567),
    ("lazy", gettext_lazy("Tình trạng")),
    ("safe", mark_safe("<em>đã an toàn</em>")),
]
GROUPED = [
    ("", "—"),
    ("Nhóm <1>", [("x", "Một"), ("y", "Hai")]),
    ("z", "Ngoài nhóm"),
]


def _both(choices, name, value, attrs=None, **widget_attrs):
    ours = Select(attrs=widget_attrs, choices=choices).render(name, value, attrs=attrs)
    django = forms.Select(attrs=widget_attrs, choices=choices).render(name, value, attrs=attrs)
    return ours, django


def test_same_html_as_django_for_plain_choices_escaping_and_selection():
    for value in ("", "a", "<b>&\"'", 3, "3", None, "absent"):
        ours, django = _both(CHOICES, "commune", value, attrs={"id": "id_commune"})
        assert ours == django
    ours, _django = _both(CHOICES, "commune", "a")
    assert '<option value="a" selected>Xã Ái Thượng</option>' in ours
    assert "&lt;i&gt;có&lt;/i&gt; &amp; &quot;dấu&quot;" in ours  # labels escaped
    assert 'value="&lt;b&gt;&amp;&quot;&#x27;"' in ours  # values escaped
    assert "<em>đã an toàn</em>" in ours  # a label marked safe is kept


def test_same_html_as_django_for_optgroups_and_boolean_or_escaped_attributes():
    for value in ("", "y", "z"):
        ours, django = _both(
            GROUPED,
            "village",
            value,
            attrs={"id": "id_village", "aria-describedby": "id_village_helptext"},
            required=True,
            disabled=False,
            title='a "quoted" <title>',
        )
        assert ours == django
    ours, _django = _both(GROUPED, "village", "y")
    assert '<optgroup label="Nhóm &lt;1&gt;">' in ours and '<option value="y" selected>Hai</option>' in ours


def test_same_html_as_django_for_model_choices_in_a_form(db):
    from django.contrib.auth.models import Group

    Group.objects.create(name="Cán bộ <xã>")
    Group.objects.create(name="Cán bộ tỉnh")

    class PlainForm(forms.Form):
        group = forms.ModelChoiceField(Group.objects.order_by("name"), empty_label="Tất cả", required=False)

    class FastForm(forms.Form):
        group = forms.ModelChoiceField(
            Group.objects.order_by("name"), empty_label="Tất cả", required=False, widget=Select
        )

    chosen = Group.objects.get(name="Cán bộ tỉnh").pk
    for data in ({}, {"group": chosen}, {"group": "999999"}):
        assert str(FastForm(data)["group"]) == str(PlainForm(data)["group"])


def test_a_select_with_another_option_template_falls_back_to_the_templates():
    class Ours(Select):
        option_template_name = "django/forms/widgets/input.html"

    class Theirs(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    ours = Ours(choices=[("a", "A"), ("b", "B")]).render("x", "a")
    assert ours == Theirs(choices=[("a", "A"), ("b", "B")]).render("x", "a")
    assert "<input" in ours and "<option" not in ours


class _Rows(list):
    """Choices that also offer their (value, label) pairs as strings, as the lists' unit filters do."""

    def option_rows(self):
        return [("" if value is None else str(value), label) for value, label in self]


def test_choices_with_option_rows_are_written_from_them_with_the_same_html():
    rows = _Rows([("", "Tất cả"), (1, "Xã <Một>"), (2, "Phường & Hai"), (1234, 'Xã "cũ"')])
    for value in ("", "2", 2, 1234, "1234", None, "999"):
        ours = Select(choices=rows).render("commune", value, attrs={"id": "id_commune"})
        assert ours == forms.Select(choices=list(rows)).render("commune", value, attrs={"id": "id_commune"})
    assert '<option value="1234" selected>Xã &quot;cũ&quot;</option>' in Select(choices=rows).render("c", 1234)


def test_a_multiple_select_or_none_values_keep_djangos_selection():
    class Multiple(Select):
        allow_multiple_selected = True

    choices = [(None, "Chưa có"), ("a", "A"), ("a", "A lần nữa"), ("Nhóm", [(None, "Trong nhóm"), ("b", "B")])]
    for value in (None, "", ["a", "b"], "a", ["None"]):
        assert Multiple(choices=choices).render("x", value) == forms.SelectMultiple(choices=choices).render("x", value)
        assert Select(choices=choices).render("x", value) == forms.Select(choices=choices).render("x", value)


def test_a_subclass_that_makes_its_own_options_gets_djangos_context():
    def create_option(widget, *args, **kwargs):
        option = forms.Select.create_option(widget, *args, **kwargs)
        option["attrs"]["data-x"] = "1"
        return option

    class Ours(Select):
        pass

    class Theirs(forms.Select):
        pass

    Ours.create_option = Theirs.create_option = create_option

    ours = Ours(choices=_Rows([("a", "A")])).render("x", "a")
    assert ours == Theirs(choices=[("a", "A")]).render("x", "a")
    assert 'data-x="1"' in ours
