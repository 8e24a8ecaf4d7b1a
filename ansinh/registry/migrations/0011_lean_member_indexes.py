"""Members keep one index per reader (decision 0026): `id_number` a single `varchar_pattern_ops`
index (equality and the search's prefix; it was a plain and a pattern index), `name_folded` none of
its own (equality reads `registry_member_name_year`, the search the trigram index of 0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_duplicate_pair_namesakes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['id_number'], name='registry_member_id_number', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AlterField(
            model_name='member',
            name='id_number',
            field=models.CharField(blank=True, max_length=12, verbose_name='số CCCD/CMND'),
        ),
        migrations.AlterField(
            model_name='member',
            name='name_folded',
            field=models.CharField(editable=False, max_length=150),
        ),
    ]
