"""Writing many new households at once: the import's fast commit path.

`household_register_many` saves households that `services.household_prepare` already validated,
with their members and heads, and records one HOUSEHOLD_REGISTERED event per household (the same
event `household_register` writes, so every household's history is complete). It runs in the
caller's transaction: the import gives each chunk of households one transaction, so a crash
leaves whole chunks only.

Ids are reserved first (`core.db.reserve_ids`), so a household names its head before the member
rows exist (both databases check foreign keys at commit) and no UPDATE of the heads is needed.
The rows then go in with ``COPY`` on PostgreSQL and one ``executemany`` per table elsewhere
(`core.db.insert_rows`).
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, router
from django.db.models.base import ModelState
from django.utils.translation import get_language

from ansinh.audit.services import PendingEvent, audit_record_many
from ansinh.core.db import insert_rows, reserve_ids
from ansinh.core.text import fold_vietnamese
from ansinh.geo.models import AdminUnit

from .choices import MemberStatus
from .events import RegistryEventType
from .models import Ethnicity, Household, Member, member_sort_key
from .services import (
    MEMBER_FIELDS,
    HouseholdData,
    MemberData,
    PreparedHousehold,
    household_rules,
    member_rules,
    prepared_household,
)

# -- validating new households fast -------------------------------------------------------------
#
# `household_prepare_fast` is `services.household_prepare` (every rule, the same messages, the same
# unsaved rows) without its per-member costs: Django's `full_clean` becomes the same `Field.clean`
# calls, remembered per (field, value) for the fields whose values repeat (codes, years, dates);
# members and households are built from their defaults instead of `Model.__init__`; the folded name
# and sort key are remembered per name. `test_import_fast.py` checks both give equal results,
# `test_import_bulk_rows.py` that an import writes the rows the former builders wrote.

# What `_validated_member`'s full_clean leaves out, and fields whose values are (nearly) all distinct.
_FULL_CLEAN_EXCLUDE = {"household", "name_folded", "sort_key", "order", "ethnicity"}
_UNCACHED = {"full_name", "id_number"}
# (field, language) → each value's messages (None: valid); a field's memory starts again when full.
_CLEAN_CACHE: dict[tuple[str, str | None], dict[Any, list[str] | None]] = {}
_CLEAN_CACHE_MAX = 16_384


@lru_cache(maxsize=1)
def _member_fields() -> tuple:
    return tuple(f for f in Member._meta.concrete_fields if f.name not in _FULL_CLEAN_EXCLUDE)


@lru_cache(maxsize=1)
def _member_prototype() -> dict[str, Any]:
    """The attributes of ``Member()`` (every default), copied into each fast-built member."""
    return {k: v for k, v in Member().__dict__.items() if k != "_state"}


@cache
def _plain_text_limit(field) -> int | None:
    """The max_length of a CharField whose only checks are its length and NUL characters, else None."""
    from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
    from django.db import models

    if not isinstance(field, models.CharField) or field.choices:
        return None
    kinds = {type(v) for v in field.validators}
    return field.max_length if kinds <= {MaxLengthValidator, ProhibitNullCharactersValidator} else None


def _field_errors(field, value) -> list[str] | None:
    """`field.clean(value)`'s messages (None: valid), as `Model.clean_fields` runs it."""
    try:
        field.clean(value, None)
    except ValidationError as exc:
        return exc.messages
    return None


@lru_cache(maxsize=8)
def _clean_plan(language: str | None) -> tuple:
    """Per checked field: (field, attname, name, blank, empty values, prototype default, plain-text
    limit or None, the remembered messages per value in `language` or None): gathered once."""
    prototype = _member_prototype()
    return tuple(
        (field, field.attname, field.name, field.blank, field.empty_values, prototype.get(field.attname),
         _plain_text_limit(field) if field.name in _UNCACHED else None,
         None if field.name in _UNCACHED else _CLEAN_CACHE.setdefault((field.attname, language), {}))
        for field in _member_fields()
    )  # fmt: skip


def _clean_fields(values: dict[str, Any], errors: dict[str, list[str]], language: str | None = None) -> None:
    """`Model.clean_fields` over plain values (the prototype's default for a field not given).
    `language`: the active one (`get_language()`), looked up by the caller once for many members."""
    if language is None:
        language = get_language()
    for field, name, field_name, blank, empty_values, default, limit, known in _clean_plan(language):
        raw = values.get(name, default)
        if blank and raw in empty_values:
            continue
        if known is None:
            if limit is not None and type(raw) is str and raw and len(raw) <= limit and "\x00" not in raw:
                continue  # what CharField.clean accepts without a call
            messages = _field_errors(field, raw)
        else:
            try:
                messages = known[raw]
            except KeyError:
                if len(known) >= _CLEAN_CACHE_MAX:
                    known.clear()
                messages = known[raw] = _field_errors(field, raw)
        if messages:
            errors.setdefault(field_name, []).extend(messages)


@lru_cache(maxsize=16_384)  # bounded like `importing.TEXT_CACHE_SIZE`: names are mostly distinct
def _derived_name(full_name: str) -> tuple[str, str]:
    """`Member.set_derived_fields`' folded name and sort key."""
    return fold_vietnamese(full_name), member_sort_key(full_name)


def _build_member(values: dict[str, Any], ethnicity: Ethnicity | None) -> Member:
    member = Member.__new__(Member)
    member._state = ModelState()
    attributes = member.__dict__  # plain attributes: the foreign key's descriptor would look up its cache
    attributes.update(_member_prototype())
    attributes.update(values)
    attributes["ethnicity_id"] = ethnicity.pk if ethnicity is not None else None
    member._state.fields_cache["ethnicity"] = ethnicity
    return member


_member_data_values = attrgetter(*MEMBER_FIELDS)  # MemberData → its MEMBER_FIELDS values, in order


@lru_cache(maxsize=1)
def _household_defaults() -> tuple[dict[str, Any], tuple, tuple, frozenset]:
    """What ``Household(...)`` gives a field not passed: fixed defaults, fields whose default is
    made per instance (``default=list``), the foreign keys (set from the objects passed), and the
    other fields' names (what may be passed as a plain value)."""
    fixed, fresh, related = {}, [], []
    for field in Household._meta.concrete_fields:
        if field.is_relation:
            related.append(field)
            fixed[field.attname] = field.get_default()
        elif field.has_default() and callable(field.default):
            fresh.append(field)
        else:
            fixed[field.attname] = field.get_default()
    plain = frozenset(f.attname for f in Household._meta.concrete_fields if not f.is_relation)
    return fixed, tuple(fresh), tuple(related), plain


def _new_household(**kwargs) -> Household:
    """``Household(**kwargs)`` without `Model.__init__` (no per-field descriptor work): the same
    attributes, the related objects passed cached as the foreign keys' descriptors cache them, the
    same ``_state.db``. For `services.prepared_household`'s keywords: model objects for the foreign
    keys, plain values (by attribute name) for every other field."""
    fixed, fresh, related, plain = _household_defaults()
    household = Household.__new__(Household)
    state = household._state = ModelState()
    attributes = household.__dict__
    attributes.update(fixed)
    for field in fresh:
        if field.attname not in kwargs:
            attributes[field.attname] = field.get_default()
    for field in related:
        if field.name not in kwargs:
            continue
        value = kwargs.pop(field.name)
        if value is not None:
            # ForwardManyToOneDescriptor.__set__ (its model check, router, attribute and cache).
            if not isinstance(value, field.remote_field.model._meta.concrete_model):
                raise ValueError(f"{value!r} is not a {field.remote_field.model.__name__} instance.")
            if state.db is None:
                state.db = router.db_for_write(Household, instance=value)
            if value._state.db is None:
                value._state.db = router.db_for_write(value.__class__, instance=household)
            if not router.allow_relation(value, household):
                raise ValueError(f"{value!r} cannot be related to a household of another database.")
            attributes[field.attname] = getattr(value, field.target_field.attname)
        else:
            attributes[field.attname] = None
        state.fields_cache[field.name] = value
    unknown = kwargs.keys() - plain
    if unknown:
        raise TypeError(f"Household() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    attributes.update(kwargs)
    return household


def member_prepare_fast(data: MemberData, *, today: date, ethnicities: dict[str, Ethnicity],
                        language: str | None = None) -> Member:  # fmt: skip
    """`services._validated_member` then `set_derived_fields`: the unsaved member, or ValidationError.
    `language`: the active one, when the caller has it (see `_clean_fields`)."""
    rules = member_rules(data, today=today, ethnicities=ethnicities)
    errors, name, year, identity, ethnicity = rules.errors, rules.name, rules.year, rules.identity, rules.ethnicity
    values = dict(zip(MEMBER_FIELDS, _member_data_values(data), strict=True))
    values.update(full_name=name, birth_year=year)
    values["id_number"] = identity.number if identity else ""
    values["id_kind"] = identity.kind if identity else ""
    field_errors: dict[str, list[str]] = {}
    _clean_fields(values, field_errors, language)
    for key, messages in field_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if data.death_date:
        values["status"] = MemberStatus.DEAD
    values["name_folded"], values["sort_key"] = _derived_name(name)
    return _build_member(values, ethnicity)


def household_prepare_fast(
    *, actor, commune: AdminUnit, data: HouseholdData, members: list[MemberData], today: date,
    ethnicities: dict[str, Ethnicity],
) -> PreparedHousehold:  # fmt: skip
    """`services.household_prepare` with `member_prepare_fast`: the same checks, messages and rows."""
    rules = household_rules(commune=commune, data=data, members=members, ethnicities=ethnicities)
    errors = rules.errors
    rows = []
    language = get_language()
    for index, member_data in enumerate(members):
        try:
            member = member_prepare_fast(member_data, today=today, ethnicities=ethnicities, language=language)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[f"members.{index}.{key}"] = messages
            continue
        member.order = index + 1
        rows.append(member)
    rules.raise_errors()
    return prepared_household(actor=actor, commune=commune, village=rules.village, code=rules.code,
                              area_type=rules.area_type, data=data, ethnicity=rules.ethnicity, facts=rules.facts,
                              rows=rows, new_household=_new_household)  # fmt: skip


# -- writing ------------------------------------------------------------------------------------


def household_register_many(*, actor, prepared: list[PreparedHousehold]) -> list[Household]:
    """Save validated new households (codes and CCCDs already checked against the registry).

    Must run inside the caller's transaction. A code taken meanwhile by someone else makes the
    database refuse the whole call (unique constraint), and the caller's transaction with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("household_register_many must run inside the caller's transaction.")
    if not prepared:
        return []
    households = [p.household for p in prepared]
    members = [m for p in prepared for m in p.members]
    for obj, pk in zip(households, reserve_ids(Household, len(households)), strict=True):
        obj.pk = pk
    for obj, pk in zip(members, reserve_ids(Member, len(members)), strict=True):
        obj.pk = pk
    for item in prepared:
        household = item.household
        for member in item.members:
            member.household_id = household.pk  # the id is all the insert needs (no descriptor work)
        household.head = item.head
    insert_rows(Household, households)
    insert_rows(Member, members)
    audit_record_many(
        actor=actor,
        events=[
            PendingEvent(RegistryEventType.HOUSEHOLD_REGISTERED, target=p.household, unit_path=p.household.unit_path,
                         changes=p.changes)
            for p in prepared
        ],
    )  # fmt: skip
    return households
