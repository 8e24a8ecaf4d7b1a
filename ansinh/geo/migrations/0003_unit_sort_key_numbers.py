"""Unit names sort numbers as numbers ("Thôn 2" before "Thôn 10"): every unit's stored sort key again.

`AdminUnit.derived_text` now builds the key with `vietnamese_sort_key(…, numbers=True)`; the keys stored
before are rewritten here, 2,000 units a statement. Reversible (the keys as they were)."""

from django.db import migrations

BATCH = 2000


def _rekey(apps, schema_editor, *, numbers: bool):
    from ansinh.core.text import vietnamese_sort_key

    unit_model = apps.get_model("geo", "AdminUnit")
    changed = []
    for unit in (
        unit_model.objects.only("pk", "name", "short_name", "sort_key").order_by("pk").iterator(chunk_size=BATCH)
    ):
        key = vietnamese_sort_key(unit.short_name or unit.name, numbers=numbers)
        if key != unit.sort_key:
            unit.sort_key = key
            changed.append(unit)
        if len(changed) >= BATCH:
            unit_model.objects.bulk_update(changed, ["sort_key"])
            changed = []
    if changed:
        unit_model.objects.bulk_update(changed, ["sort_key"])


def forwards(apps, schema_editor):
    _rekey(apps, schema_editor, numbers=True)


def backwards(apps, schema_editor):
    _rekey(apps, schema_editor, numbers=False)


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_path_prefix_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
