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
