"""Load the 54 ethnic groups from data/ethnicities.json (idempotent; names are refreshed)."""

import json
from pathlib import Path

from django.db import migrations

from ansinh.core.text import fold_vietnamese

DATA = Path(__file__).resolve().parent.parent / "data" / "ethnicities.json"


def load(apps, schema_editor):
    Ethnicity = apps.get_model("registry", "Ethnicity")
    for code, name in json.loads(DATA.read_text(encoding="utf-8"))["ethnicities"]:
        Ethnicity.objects.update_or_create(code=code, defaults={"name": name, "name_folded": fold_vietnamese(name)})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
