"""The bulk-writing helpers of `core.db`, on whichever database the suite runs on."""

from django.db import connection

from ansinh.core.db import analyze_tables, insert_rows, reserve_ids
from ansinh.geo.models import AdminUnit


def test_reserved_ids_are_new_and_insert_rows_writes_them(units):
    template = AdminUnit.objects.get(pk=units.t1.pk)
    ids = reserve_ids(AdminUnit, 2)
    assert len(set(ids)) == 2 and min(ids) > AdminUnit.objects.order_by("-pk").first().pk
    copies = []
    for number, pk in enumerate(ids):
        copy = AdminUnit.objects.get(pk=template.pk)
        copy.pk, copy.code, copy.name = pk, f"ZZ{number}", f"Thôn thử {number}"
        copy.path = f"{template.path.rstrip('/').rsplit('/', 1)[0]}/ZZ{number}/"  # unique, as save() would make it
        copies.append(copy)
    insert_rows(AdminUnit, copies)
    assert sorted(AdminUnit.objects.filter(pk__in=ids).values_list("name", flat=True)) == ["Thôn thử 0", "Thôn thử 1"]
    assert reserve_ids(AdminUnit, 1)[0] > max(ids)  # the sequence moved past the reserved ids


def test_analyze_tables_refreshes_the_planner_statistics(units):
    analyze_tables(AdminUnit)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'level'", [AdminUnit._meta.db_table]
            )
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [AdminUnit._meta.db_table])
        assert cursor.fetchone()[0] >= 1


def test_insert_rows_prepares_every_value_as_django_prepares_it(units):
    """`_row_values` (one attrgetter, the connection bound once, dates and decimals prepared once per
    value) gives for each field what the former per-field getters gave: the attribute for text, numbers,
    flags and foreign keys, else ``field.get_db_prep_save(field.pre_save(obj, True), connection)``."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from ansinh.audit.models import AuditEvent
    from ansinh.core.db import _AS_IS, _row_values
    from ansinh.registry.models import Household, Member

    def reference(field, obj):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):  # set to the call's "now"
            return field.get_db_prep_save(getattr(obj, field.attname), connection)
        if isinstance(field, _AS_IS):
            return getattr(obj, field.attname)
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    samples = {
        Household: [
            Household(code="H1", commune=units.tho_xuan, housing_area_m2=Decimal("1.0"), info_devices=["tv"]),
            Household(code="H2", commune=units.tho_xuan, housing_area_m2=Decimal("1.00"), production_land_m2=None),
            Household(code="H3", commune=units.tho_xuan, housing_area_m2=Decimal("1.0"), info_devices=[]),
        ],
        Member: [
            Member(full_name="An", birth_date=date(1970, 1, 2), birth_year=1970),
            Member(full_name="Bình", birth_date=date(1970, 1, 2), death_date=date(2020, 5, 6)),
            Member(full_name="Cúc", birth_date=None, birth_year=1980),
        ],
        AuditEvent: [
            AuditEvent(chain_key="k", sequence=n, occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                       event_type=1, changes={"new": {"n": n}}, prev_hash="0" * 64, hash="1" * 64)
            for n in (1, 2)
        ],
    }  # fmt: skip
    for model, objs in samples.items():
        fields, row = _row_values(model, objs)
        assert sorted(f.name for f in fields) == sorted(f.name for f in model._meta.concrete_fields)
        for obj in objs:
            values = row(obj)
            for field, value in zip(fields, values, strict=True):
                expected = reference(field, obj)
                if isinstance(expected, Decimal):
                    assert (type(value), str(value)) == (Decimal, str(expected)), field.name
                elif type(expected).__name__ == "Jsonb":  # psycopg's JSON wrapper: compare what it wraps
                    assert type(value) is type(expected) and value.obj == expected.obj, field.name
                else:
                    assert value == expected and type(value) is type(expected), field.name
