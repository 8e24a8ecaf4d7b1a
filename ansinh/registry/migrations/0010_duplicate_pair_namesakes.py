"""`DuplicatePair.namesakes` and the queue order by it among pairs of one score (decision 0025).

Pending pairs already stored get their count here, as a scan would give it (`duplicates.
count_namesakes`: living members with the pair's folded name, sex and birth year, less the two), so
the queue is ordered at once; decided pairs keep 0 (their evidence is what the officer saw).
"""

from django.db import migrations, models

CHUNK = 500


def count_pending(apps, schema_editor):
    pair_model = apps.get_model("registry", "DuplicatePair")
    member_model = apps.get_model("registry", "Member")
    pending = (
        pair_model.objects.filter(status="pending")
        .order_by("pk")
        .values_list(
            "pk", "member_a__name_folded", "member_a__sex", "member_a__birth_year",
            "member_b__name_folded", "member_b__sex", "member_b__birth_year",
        )
    )  # fmt: skip
    keys = {}
    for pk, name_a, sex_a, year_a, name_b, sex_b, year_b in pending.iterator(chunk_size=2000):
        if name_a and (name_a, sex_a, year_a) == (name_b, sex_b, year_b):
            keys[pk] = (name_a, sex_a, year_a)
    pks = sorted(keys)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        names = {keys[pk][0] for pk in chunk}
        living = member_model.objects.filter(name_folded__in=names, death_date__isnull=True).exclude(
            status__in=["dead", "merged"]
        )
        counts = {
            (name, sex, year): n
            for name, sex, year, n in living.order_by()
            .values_list("name_folded", "sex", "birth_year")
            .annotate(n=models.Count("id"))
        }
        pairs = list(pair_model.objects.filter(pk__in=chunk))
        for pair in pairs:
            pair.namesakes = max(counts.get(keys[pair.pk], 0) - 2, 0)
            pair.evidence = {**(pair.evidence or {}), "namesakes": pair.namesakes}
        pair_model.objects.bulk_update(pairs, ["namesakes", "evidence"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_household_code_prefix_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="duplicatepair",
            options={
                "ordering": ["-score", "namesakes", "id"],
                "permissions": [("decide_duplicate", "Quyết định cặp nghi trùng")],
                "verbose_name": "cặp nghi trùng",
                "verbose_name_plural": "cặp nghi trùng",
            },
        ),
        migrations.AddField(
            model_name="duplicatepair",
            name="namesakes",
            field=models.PositiveIntegerField(default=0, verbose_name="số người trùng tên cùng năm sinh"),
        ),
        migrations.RunPython(count_pending, migrations.RunPython.noop),
    ]
