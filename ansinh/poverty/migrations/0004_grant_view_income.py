"""Give `poverty.view_income` to the existing roles that roles.json grants it to.

Without this an upgraded database would mask incomes for everybody until `accounts_load_roles` is run
again. Roles an administrator created, and roles the file does not grant it to, are left alone; the
permission is recorded in `seeded_permissions` so a later plain reload does not add it twice.
"""

import json
from pathlib import Path

from django.db import migrations

ROLES_FILE = Path(__file__).resolve().parents[2] / "accounts" / "data" / "roles.json"

LABEL = "poverty.view_income"


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    codes = [
        r["code"] for r in json.loads(ROLES_FILE.read_text(encoding="utf-8"))["roles"] if LABEL in r["permissions"]
    ]
    roles = [role for role in Role.objects.filter(code__in=codes) if LABEL not in role.seeded_permissions]
    if not roles:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="poverty", model="assessment")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_income", defaults={"name": "Xem thu nhập, điểm thu nhập của hộ"}
    )
    for role in roles:
        role.permissions.add(permission)
        role.seeded_permissions = sorted([*role.seeded_permissions, LABEL])
        role.save(update_fields=["seeded_permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("poverty", "0003_assessment_view_income_permission"),
        ("accounts", "0002_role_seeded_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
