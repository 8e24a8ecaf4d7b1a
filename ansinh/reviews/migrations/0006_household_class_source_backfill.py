"""Fill `Household.poverty_class_source` (registry 0012) for households classified before it existed:
"decision" where the household's current class, standard and date are those of a recognition decision
of its review case, "classification" for any other class. Households without a class stay blank."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def backfill(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    ReviewCase = apps.get_model("reviews", "ReviewCase")
    decided = ReviewCase.objects.filter(
        household=OuterRef("pk"), decision__isnull=False, final_class=OuterRef("poverty_class"),
        decision__signed_on=OuterRef("poverty_classified_on"), campaign__standard__code=OuterRef("poverty_standard"),
    )  # fmt: skip
    classified = Household.objects.exclude(poverty_class="").filter(poverty_class_source="")
    classified.filter(Exists(decided)).update(poverty_class_source="decision")
    classified.filter(poverty_class_source="").update(poverty_class_source="classification")


def clear(apps, schema_editor):
    apps.get_model("registry", "Household").objects.update(poverty_class_source="")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0005_milestone_name_en"), ("registry", "0012_household_poverty_class_source")]

    operations = [migrations.RunPython(backfill, clear)]
