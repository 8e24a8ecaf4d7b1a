"""Permission-matrix cases of household imports and the registry export."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ansinh.core.testing.matrix import Case

CSV = "Mã hộ;Thôn;Họ và tên;Quan hệ với chủ hộ;Giới tính;Năm sinh\nM01;T1;Nguyễn Văn Ma Trận;Chủ hộ;Nam;1970\n"


def _upload(user, commune, *, dry_run=True, name="matrix.csv"):
    from ansinh.registry.services_import import import_batch_create

    return import_batch_create(
        actor=user, commune=commune, file=SimpleUploadedFile(name, CSV.encode()), mode="create", dry_run=dry_run
    )


def _run(batch):
    from ansinh.registry.services_import import import_batch_run

    import_batch_run(batch=batch)
    batch.refresh_from_db()
    return batch


def setup_uploaded(ctx):
    """An uploaded batch in Thọ Xuân and one in M'Đrắk (out of the Thanh Hóa users' area)."""
    ctx.batch = _upload(ctx.users.commune_officer, ctx.units.tho_xuan)
    ctx.out_batch = _upload(ctx.users.commune_officer_dl, ctx.units.mdrak)


def setup_validated(ctx):
    """Checked dry runs (status "validated"), in area and out of area."""
    setup_uploaded(ctx)
    ctx.batch = _run(ctx.batch)
    ctx.out_batch = _run(ctx.out_batch)


def setup_awaiting(ctx):
    """Batches awaiting a second user's approval (both provinces require it)."""
    from ansinh.registry.models import RegistrySettings

    for province in (ctx.units.th, ctx.units.dl):
        RegistrySettings.objects.update_or_create(province=province, defaults={"import_requires_approval": True})
    ctx.batch = _run(_upload(ctx.users.commune_officer, ctx.units.tho_xuan, dry_run=False))
    ctx.out_batch = _run(_upload(ctx.users.commune_officer_dl, ctx.units.mdrak, dry_run=False))


def _pk(ctx):
    return {"pk": ctx.batch.pk}


def _out_pk(ctx):
    return {"pk": ctx.out_batch.pk}


def _id(ctx):
    return {"batch_id": ctx.batch.pk}


def _out_id(ctx):
    return {"batch_id": ctx.out_batch.pk}


CASES = [
    # Pages.
    Case("registry:import_list", user="commune_officer", wrong_role="village_head"),
    Case("registry:import_template", user="commune_officer", wrong_role="village_head"),
    Case("registry:import_create", user="commune_officer", wrong_role="village_head"),
    Case("registry:import_detail", user="commune_officer", wrong_role="village_head", setup=setup_uploaded,
         kwargs=_pk, out_kwargs=_out_pk),
    Case("registry:import_error_file", user="commune_officer", wrong_role="village_head", setup=setup_validated,
         kwargs=_pk, out_kwargs=_out_pk),
    Case("registry:import_approve", user="commune_chair", wrong_role="village_head", method="post",
         setup=setup_awaiting, kwargs=_pk, out_kwargs=_out_pk, ok_status=302),
    Case("registry:import_commit", user="commune_officer", wrong_role="village_head", method="post",
         setup=setup_validated, kwargs=_pk, out_kwargs=_out_pk, ok_status=302),
    Case("registry:import_cancel", user="commune_officer", wrong_role="village_head", method="post",
         setup=setup_uploaded, kwargs=_pk, out_kwargs=_out_pk, ok_status=302),
    Case("registry:household_export", user="commune_officer", wrong_role="helping_agency_member"),
    # API. A JSON body carries no file: the right role gets 422 after the permission check
    # (real uploads are in test_api_imports.py).
    Case("api:import_create", user="commune_officer", wrong_role="village_head", method="post", ok_status=422,
         id="POST api:import_create (no file → 422)"),
    Case("api:import_list", user="commune_officer", wrong_role="village_head"),
    Case("api:import_get", user="commune_officer", wrong_role="village_head", setup=setup_uploaded,
         kwargs=_id, out_kwargs=_out_id),
    Case("api:import_approve", user="commune_chair", wrong_role="village_head", method="post",
         setup=setup_awaiting, kwargs=_id, out_kwargs=_out_id),
    Case("api:import_commit", user="commune_officer", wrong_role="village_head", method="post",
         setup=setup_validated, kwargs=_id, out_kwargs=_out_id),
    Case("api:import_cancel", user="commune_officer", wrong_role="village_head", method="post",
         setup=setup_uploaded, kwargs=_id, out_kwargs=_out_id),
    Case("api:household_export", user="commune_officer", wrong_role="helping_agency_member"),
]  # fmt: skip
