from django.db import migrations, models

# The English grounds of the milestones shipped in data/campaign_templates.json (version 5), keyed by
# their Vietnamese text, frozen here: milestones of campaigns created before this release get the
# English grounds when their Vietnamese text is exactly the shipped one (an administrator's wording
# stays Vietnamese-only, the fallback).
ENGLISH = {
    "KH 6828/KH-UBND ngày 21/8/2019 (Đắk Lắk)": "KH 6828/KH-UBND of 21/8/2019 (Đắk Lắk)",
    "QĐ 24/2021/QĐ-TTg Điều 3 (kết thúc rà soát định kỳ)": "QĐ 24/2021/QĐ-TTg Article 3 (end of the periodic review)",
    "QĐ 24/2021/QĐ-TTg Điều 5": "QĐ 24/2021/QĐ-TTg Article 5",
    "QĐ 24/2021/QĐ-TTg Điều 7": "QĐ 24/2021/QĐ-TTg Article 7",
    "QĐ 24/2021/QĐ-TTg Điều 7 (ngày 5 hằng tháng)": "QĐ 24/2021/QĐ-TTg Article 7 (the 5th of each month)",
    "Giả định như rà soát thường xuyên (cần xác nhận)": "Assumed to be as for the regular review (to be confirmed)",
}


def fill_english_sources(apps, schema_editor):
    Milestone = apps.get_model("reviews", "Milestone")
    for source, source_en in ENGLISH.items():
        Milestone.objects.filter(source=source, source_en="").update(source_en=source_en)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_household_class_source_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="source_en",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="căn cứ tiếng Anh"),
        ),
        migrations.RunPython(fill_english_sources, migrations.RunPython.noop),
        # Phiếu A's name and grounds in English; the shipped checklist gets them (and its criteria's
        # `text_en`, `source_en`, kept in the criteria JSON) from reviews_load_form_a, the file having changed.
        migrations.AddField(
            model_name="formachecklist",
            name="name_en",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.AddField(
            model_name="formachecklist",
            name="source_en",
            field=models.CharField(blank=True, default="", max_length=255, verbose_name="căn cứ tiếng Anh"),
        ),
    ]
