"""A standard's rule data compiled into one set-based SQL statement, for the bulk run.

`classify.classify` and `services.evaluate` stay the single definition of a classification; this
module writes the same decision as SQL (SQLite and PostgreSQL) so a run classifies a whole chunk of
households in the database: the latest form B per household, the present members' ages on the
run's date, every derivation rule with its facts, answers and overrides, the deprivation count, the
rule shape (``single_line``, ``two_tier``, ``two_band``), the proxy score, the farming average band
and the low-income flag, with the flags, the deprivations and each derived indicator's value and
facts (``[[derived, facts], …]`` in the standard's order) built as JSON text exactly as the Python
path stores them.
`tests/test_classify_sql.py` proves both give the same rows. No reasons: a result stores none, they
are built from its facts when read (decision 0027); nor the indicators' answers, overrides and final
values: built from its form B when read (decision 0028).

`stage_sql` returns an ``INSERT … SELECT`` into a temporary staging table. Each staged household is
``ok`` (classified), ``incomplete`` (no form B, an unanswered indicator or unusable income facts,
which the Python path also refuses) or ``fallback``: facts this compiler does not handle (an
answer or override that is not a plain true/false, devices that are not a list); the run evaluates
those few households with `services.evaluate`. A standard using a rule or a parameter the compiler
cannot express raises `NotCompilable` and the run takes the Python path for every household.

Speed: each JSON fact is read once per household (the answer and override types in level ``lb``,
the overrides only when there are any, the devices as one bit mask on SQLite, the answers as one
record on PostgreSQL) and the levels above use the types; the derivations' facts are built only
when the JSON columns are wanted (not in a preview); the JSON text is built by one
``printf``/``format`` call per object (`_cat`), not by chains of ``||`` that copy the text built so
far at every step. A preview derives a value only where it counts (an indicator with neither an
override nor a true/false answer, in a household with a form B) and reads members only for those
households; the commit derives every value, which the stored result keeps. The preview reads each
indicator's answer (and override, when there are any) once into one packed integer per household
(`_form_b_code`) instead of typed columns, and on PostgreSQL nests plain subqueries instead of
materialized levels. Every such choice keeps the stored text byte for byte
(`tests/test_classify_sql.py`) and the preview's staged rows equal to the commit's
(`tests/test_classify_sql_preview.py`).
"""

# ruff: noqa: S608, E501 - statements built from the standard's checked data; every value is quoted by `lit`
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from ansinh.registry.choices import PovertyClassSource

from .classify import AVERAGE, COMPUTED, DECLARED, NEAR_POOR, NOT_POOR, POOR, PROXY_SCORE
from .partitions import ASSESSMENTS as ASSESSMENT_PARTITIONS
from .standard import AREAS, StandardSpec

STAGE = "poverty_run_stage"
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")

STAGE_COLUMNS = (
    "household_id", "commune_id", "old_class", "kept", "assessment_id", "area", "farming", "income_source",
    "income_per_capita", "income_score", "unit_path", "successor_path", "state", "klass", "flags",
    "deprivations", "indicators",
)  # fmt: skip

# The form B columns the statement reads (PostgreSQL's ordered pass hands only these up).
ASSESSMENT_COLUMNS = ", ".join(f"a2.{c}" for c in (
    "id", "household_id", "answers", "overrides", "farming", "income_source", "income_per_capita", "income_score",
))  # fmt: skip
# The member facts the derivations read, blanks as '' (with `m.age`, computed per member).
MEMBER_FACTS = (
    "COALESCE(labour_status, '') AS labour_status, COALESCE(health_insurance, '') AS health_insurance, "
    "COALESCE(schooling, '') AS schooling, COALESCE(diploma, '') AS diploma, "
    "COALESCE(disability, '') AS disability, COALESCE(allowance, '') AS allowance"
)


class NotCompilable(ValueError):
    """The standard uses something the SQL compiler does not express (the run uses Python)."""


def lit(value: str) -> str:
    """A SQL string literal (the statement is run with parameters: ``%`` is doubled)."""
    return "'" + str(value).replace("'", "''").replace("%", "%%") + "'"


def jlit(value: Any) -> str:
    """A constant as JSON text (a SQL string literal)."""
    return lit(json.dumps(value, ensure_ascii=False))


def _in(expr: str, values) -> str:
    values = list(values)
    if not values:
        return "(1 = 0)"
    for v in values:
        if not isinstance(v, str):
            raise NotCompilable(f"not a text value: {v!r}")
    return f"({expr} IN ({', '.join(lit(v) for v in values)}))"


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotCompilable(f"not a whole number: {value!r}")
    return value


def _path(path) -> str:
    return "$" + "".join('."' + p + '"' for p in path)


class _Dialect:
    def __init__(self, vendor: str):
        if vendor not in ("sqlite", "postgresql"):
            raise NotCompilable(f"database {vendor} is not supported")
        self.pg = vendor == "postgresql"
        self.format = "format" if self.pg else "printf"
        self.devices: list[str] = []  # SQLite: the devices of `dev_mask`, bit i for devices[i]

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def quote(self, expr: str) -> str:
        """A SQL text value as a JSON string."""
        return f"to_jsonb(CAST({expr} AS TEXT))::text" if self.pg else f"json_quote({expr})"

    def jtype(self, column: str, *path: str) -> str:
        """The JSON type of column[path...]: 'true'/'false'/'null'/'object'/..., NULL when absent."""
        if self.pg:
            ref = column + "".join(f" -> {lit(p)}" for p in path)
            # A jsonb boolean's text is 'true' or 'false'; SQL NULL (absent) stays NULL.
            return f"(CASE jsonb_typeof({ref}) WHEN 'boolean' THEN CAST(({ref}) AS TEXT) ELSE jsonb_typeof({ref}) END)"
        return f"json_type({column}, {lit(_path(path))})"

    def jtext(self, column: str, *path: str) -> str:
        if self.pg:
            return column + "".join(f" -> {lit(p)}" for p in path[:-1]) + f" ->> {lit(path[-1])}"
        return f"json_extract({column}, {lit(_path(path))})"

    def has_device(self, device: str) -> str:
        """Whether the household's devices (a JSON array) hold the text `device`."""
        if self.pg:
            return f"(jsonb_typeof(h.info_devices) = 'array' AND h.info_devices @> {jlit([device])}::jsonb)"
        if device not in self.devices:
            if len(self.devices) == 62:
                raise NotCompilable("devices")
            self.devices.append(device)
        return f"((h.dev_mask & {1 << self.devices.index(device)}) <> 0)"

    def device_mask(self) -> str:
        """SQLite: the household's devices as bits, read from the JSON text once (json_each parses it,
        where a test per device and per use parsed it a dozen times per household)."""
        bits = " ".join(f"WHEN {lit(device)} THEN {1 << i}" for i, device in enumerate(self.devices))
        return (f"COALESCE((SELECT sum(DISTINCT CASE d.value {bits} END) FROM json_each(CASE WHEN "
                "json_type(h.info_devices) = 'array' THEN h.info_devices END) d WHERE d.type = 'text'), 0)")  # fmt: skip

    def age(self, on_date: date) -> str:
        md = lit(f"{on_date:%m-%d}")
        if self.pg:
            born = f"CAST(EXTRACT(YEAR FROM m.birth_date) AS INTEGER) + CASE WHEN to_char(m.birth_date, 'MM-DD') > {md} THEN 1 ELSE 0 END"
        else:
            born = f"CAST(substr(m.birth_date, 1, 4) AS INTEGER) + CASE WHEN substr(m.birth_date, 6, 5) > {md} THEN 1 ELSE 0 END"
        return (f"CASE WHEN m.birth_date IS NOT NULL THEN {on_date.year} - ({born}) "
                f"WHEN m.birth_year IS NOT NULL AND m.birth_year <> 0 THEN {on_date.year} - m.birth_year END")  # fmt: skip

    def real(self, expr: str) -> str:
        return f"CAST({expr} AS DOUBLE PRECISION)" if self.pg else f"CAST({expr} AS REAL)"


_LITERAL = re.compile(r"'(?:[^']|'')*'", re.S)


class _NotNull(str):
    """SQL text of an expression that is never NULL (a CASE whose every branch is a constant)."""


class _Cat(str):
    """A concatenation's SQL text that remembers its operands (`_cat` splices and merges them)."""

    parts: tuple[str, ...] = ()
    not_null = False


def _not_null(expr: str) -> bool:
    return isinstance(expr, _NotNull) or (isinstance(expr, _Cat) and expr.not_null) or bool(_LITERAL.fullmatch(expr))


def _cat(d: _Dialect, *parts: str) -> str:
    """The text concatenation of SQL text expressions, as one ``printf``/``format`` call.

    A chain ``a || b || c …`` allocates and copies the text built so far at every ``||``: the
    indicator table alone has about a hundred pieces per household and took most of a commit's
    staging time. Nested concatenations are spliced in and the string literals become the format
    (``%`` escaped). ``printf``/``format`` print NULL as nothing where ``||`` gives NULL, so the
    call is guarded by a NULL test of every piece not known to be non-NULL: the text is the same.
    """
    flat: list[str] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, _Cat) else [part])
    merged: list[str] = []
    for part in flat:
        if merged and _LITERAL.fullmatch(merged[-1]) and _LITERAL.fullmatch(part):
            merged[-1] = merged[-1][:-1] + part[1:]
        else:
            merged.append(part)
    if len(merged) == 1 and _LITERAL.fullmatch(merged[0]):
        return merged[0]
    args = [part for part in merged if not _LITERAL.fullmatch(part)]
    if len(args) < 2:  # a single expression between constants: a call buys nothing
        text = "(" + " || ".join(merged) + ")"
    else:
        calls, fmt, chunk = [], "", []
        for part in merged:
            if _LITERAL.fullmatch(part):
                # The statement runs with parameters: a literal's `%` is already `%%` (`lit`).
                fmt += part[1:-1].replace("%%", "%%%%")
                continue
            fmt += "%%s"
            chunk.append(part)
            if len(chunk) == 90:  # under both databases' limits on a function's arguments
                calls.append(f"{d.format}('{fmt}', {', '.join(chunk)})")
                fmt, chunk = "", []
        if chunk:
            calls.append(f"{d.format}('{fmt}', {', '.join(chunk)})")
        elif fmt:
            calls.append(f"'{fmt.replace('%%%%', '%%')}'")
        text = " || ".join(calls)
        nullable = [part for part in args if not _not_null(part)]
        if nullable:
            text = f"CASE WHEN {' OR '.join(f'{part} IS NULL' for part in nullable)} THEN NULL ELSE {text} END"
        text = f"({text})"
    out = _Cat(text)
    out.parts = tuple(merged)
    out.not_null = all(_not_null(part) for part in args)
    return out


def _obj(d: _Dialect, *pairs: tuple[str, str]) -> str:
    """JSON object text from (key, SQL expression giving JSON text) pairs."""
    parts = []
    for index, (key, expr) in enumerate(pairs):
        parts.append(lit(("{" if index == 0 else ",") + json.dumps(key) + ":"))
        parts.append(expr)
    parts.append(lit("}") if pairs else lit("{}"))
    return _cat(d, *parts)


def _c(value: Any) -> str:
    """A constant JSON value as SQL text."""
    return jlit(value)


def _bool(expr: str) -> str:
    return _NotNull(f"(CASE {expr} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END)")


def _flag(cond: str) -> str:
    return f"(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _sum(cond: str) -> str:
    """How many of the group's rows meet `cond` (a group has at least one row: never NULL)."""
    return f"count(*) FILTER (WHERE {cond})"


# -- derivation rules: (member aggregates, derived value, facts) ------------------------------------


def _rule(d: _Dialect, rule: str, params: dict[str, Any], k: str):
    """Aggregates over present members (name → SQL), then the derived 0/1/NULL and its facts text,
    both over the grouped columns (``g.<k>_<name>``, ``g.n``, ``g.unk``) and household columns."""
    g = lambda name: f"COALESCE(g.{k}_{name}, 0)"  # noqa: E731
    n, unk = "COALESCE(g.n, 0)", "COALESCE(g.unk, 0)"

    def in_range(low, high):
        return f"(m.age IS NOT NULL AND m.age BETWEEN {_int(low)} AND {_int(high)})"

    def counted(hit: str, blank: str, missing: str, false_facts: str):
        value = f"(CASE WHEN {hit} > 0 THEN 1 WHEN {blank} > 0 OR {unk} > 0 THEN NULL ELSE 0 END)"
        facts = (f"(CASE WHEN {hit} > 0 THEN {_obj(d, ('count', d.text(hit)))} "
                 f"WHEN {blank} > 0 OR {unk} > 0 THEN {_obj(d, ('missing', _c(missing)))} ELSE {false_facts} END)")  # fmt: skip
        return value, facts

    if rule == "member_labour_status_in":
        r = in_range(params["min_age"], params["max_age"])
        aggs = {"hit": _sum(f"{r} AND {_in('m.labour_status', params['statuses'])}"),
                "blank": _sum(f"{r} AND m.labour_status = ''"), "wa": _sum(r)}  # fmt: skip
        value, facts = counted(g("hit"), g("blank"), "labour_status",
                               _obj(d, ("count", _c(0)), ("working_age", d.text(g("wa")))))  # fmt: skip
        return aggs, value, facts
    if rule == "dependants_share_above":
        share = params["share"]
        if isinstance(share, bool) or not isinstance(share, (int, float)):
            raise NotCompilable("share")
        child, elderly = _int(params["child_under"]), _int(params["elderly_from"])
        allowance = params.get("require_allowance")
        if allowance:
            dep = (f"(m.age < {child} OR ((m.age >= {elderly} OR m.disability NOT IN ('', 'none')) "
                   f"AND {_in('m.allowance', allowance)}))")  # fmt: skip
        else:
            dep = f"(m.age < {child} OR m.age >= {elderly} OR {_in('m.disability', params['disabilities'])})"
        aggs = {"dep": _sum(f"m.age IS NOT NULL AND {dep}")}
        none = f"{n} = 0 OR {unk} > 0"
        value = (f"(CASE WHEN {none} THEN NULL WHEN {d.real(g('dep'))} / {n} > {d.real(repr(float(share)))} "
                 f"THEN 1 ELSE 0 END)")  # fmt: skip
        facts = (f"(CASE WHEN {none} THEN {_obj(d, ('missing', _c('age')))} "
                 f"ELSE {_obj(d, ('dependants', d.text(g('dep'))), ('members', d.text(n)))} END)")  # fmt: skip
        return aggs, value, facts
    if rule == "member_without_health_insurance":
        concerned = f"(m.age IS NOT NULL AND m.age >= {_int(params['min_age'])})"
        aggs = {"hit": _sum(f"{concerned} AND m.health_insurance = 'no'"),
                "blank": _sum(f"{concerned} AND m.health_insurance = ''")}  # fmt: skip
        value, facts = counted(g("hit"), g("blank"), "health_insurance", _obj(d, ("count", _c(0))))
        return aggs, value, facts
    if rule == "adult_without_expected_diploma":
        r = in_range(params["min_age"], params["max_age"])
        bands = sorted(params["expected"], key=lambda band: band["to_age"])
        if not bands:
            raise NotCompilable("expected")
        whens = " ".join(f"WHEN m.age <= {_int(b['to_age'])} THEN {_flag(_in('m.diploma', b['diplomas']))}"
                         for b in bands)  # fmt: skip
        ok = f"(CASE {whens} ELSE {_flag(_in('m.diploma', bands[-1]['diplomas']))} END)"
        aggs = {"hit": _sum(f"{r} AND m.schooling = 'none' AND m.diploma <> '' AND {ok} = 0"),
                "blank": _sum(f"{r} AND (m.schooling = '' OR (m.schooling = 'none' AND m.diploma = ''))")}  # fmt: skip
        value, facts = counted(g("hit"), g("blank"), "schooling", _obj(d, ("count", _c(0))))
        return aggs, value, facts
    if rule == "child_not_in_school":
        r = in_range(params["min_age"], params["max_age"])
        aggs = {"hit": _sum(f"{r} AND m.schooling = 'none'"), "blank": _sum(f"{r} AND m.schooling = ''")}
        value, facts = counted(g("hit"), g("blank"), "schooling", _obj(d, ("count", _c(0))))
        return aggs, value, facts
    if rule == "housing_not_durable":
        parts = ("h.wall_durability", "h.column_durability", "h.roof_durability")
        blank = " OR ".join(f"COALESCE({p}, '') = ''" for p in parts)
        durable = "(" + " + ".join(_flag(f"{p} = 'durable'") for p in parts) + ")"
        value = f"(CASE WHEN {blank} THEN NULL WHEN {durable} < {_int(params['min_durable_parts'])} THEN 1 ELSE 0 END)"
        facts = (f"(CASE WHEN {blank} THEN {_obj(d, ('missing', _c('durability')))} "
                 f"ELSE {_obj(d, ('durable_parts', d.text(durable)))} END)")  # fmt: skip
        return {}, value, facts
    if rule == "housing_area_per_person_below":
        tenths = Decimal(str(params["min_m2"])) * 10
        if tenths != tenths.to_integral_value() or tenths < 0:
            raise NotCompilable("min_m2")
        # The area has one decimal (registry column): exact integer arithmetic on tenths of m².
        a10 = (
            "CAST(round(h.housing_area_m2 * 10) AS BIGINT)"
            if d.pg
            else "CAST(round(h.housing_area_m2 * 10) AS INTEGER)"
        )
        q = f"({a10} / {n})"
        r = f"({a10} - {n} * {q})"
        up = f"(CASE WHEN 2 * {r} > {n} OR (2 * {r} = {n} AND {q} - 2 * ({q} / 2) = 1) THEN 1 ELSE 0 END)"
        none = f"h.housing_area_m2 IS NULL OR {n} = 0"
        value = f"(CASE WHEN {none} THEN NULL WHEN {a10} < {int(tenths)} * {n} THEN 1 ELSE 0 END)"
        facts = (f"(CASE WHEN {none} THEN {_obj(d, ('missing', _c('housing_area_m2')))} "
                 f"ELSE {_obj(d, ('m2_per_person', d.text(d.real(f'{q} + {up}') + ' / 10')))} END)")  # fmt: skip
        return {}, value, facts
    if rule in ("water_source_not_in", "latrine_not_in"):
        column = "water_source" if rule == "water_source_not_in" else "latrine_type"
        ref = f"COALESCE(h.{column}, '')"
        value = f"(CASE WHEN {ref} = '' THEN NULL WHEN {_in(ref, params['accepted'])} THEN 0 ELSE 1 END)"
        facts = (f"(CASE WHEN {ref} = '' THEN {_obj(d, ('missing', _c(column)))} "
                 f"ELSE {_obj(d, (column, d.quote(ref)))} END)")  # fmt: skip
        return {}, value, facts
    if rule == "lacks_all_devices":
        devices = sorted(set(params["devices"]))
        for device in devices:
            if not isinstance(device, str):
                raise NotCompilable("devices")
        have = [d.has_device(device) for device in devices]
        listed = " || ".join(f"(CASE WHEN {h} THEN {lit(json.dumps(v) + ',')} ELSE '' END)"
                             for h, v in zip(have, devices, strict=True)) or "''"  # fmt: skip
        value = f"(CASE WHEN {' OR '.join(have) or '1 = 0'} THEN 0 ELSE 1 END)"
        facts = _obj(d, ("devices", f"('[' || rtrim({listed}, ',') || ']')"))
        return {}, value, facts
    raise NotCompilable(f"rule {rule}")


# -- classification branches (mirror classify.classify) -------------------------------------------


def _branches(spec: StandardSpec, area: str, on_date: date, inc: str, enough: str):
    """[(condition, class, [flag])] for the declared/computed income path, in `classify`'s order.

    Only the class and the flags: the reasons are built from the stored facts when read (decision
    0027), so branches that differed only by their reasons (the average band of a household that does
    not farm, which is not poor like any household above the lines) are one."""
    lines = spec.lines[area]
    factor = 12 if spec.income_period == "year" else 1

    def within(line: int) -> str:
        return f"({inc} * {factor} <= {_int(line)})"

    rule = spec.rule
    if rule == "single_line":
        w = within(lines.poor)
        decided = [(f"{w} AND {enough}", POOR), (w, NEAR_POOR)]
    elif rule == "two_tier":
        wp, wn = within(lines.poor), within(lines.near_poor)
        decided = [(wp, POOR), (f"{wn} AND {enough}", POOR), (wn, NEAR_POOR)]
    elif rule == "two_band":
        wp, wn = within(lines.poor), within(lines.near_poor)
        decided = [(f"{wp} AND {enough}", POOR), (wn, NEAR_POOR)]
    else:
        raise NotCompilable(f"rule shape {rule}")
    out = [(cond, klass, []) for cond, klass in decided]
    rest: list[tuple[str, str]] = []
    if lines.average is not None:
        rest.append((f"{within(lines.average)} AND b.farming = 1", AVERAGE))
    rest.append(("1 = 1", NOT_POOR))
    low_applies = lines.low_income is not None and (spec.low_income_from is None or on_date >= spec.low_income_from)
    for cond, klass in rest:
        if low_applies:
            out.append((f"{cond} AND {within(lines.low_income)}", klass, ["low_income"]))
        out.append((cond, klass, []))
    return out


def _proxy_branches(spec: StandardSpec, area: str, enough: str):
    """[(condition, class, [flag])] for the proxy score (no flags: `classify` gives none)."""
    if spec.proxy_score is None:
        return []
    within = f"(b.income_score <= {_int(spec.proxy_score.income_thresholds[area])})"
    return [(f"{within} AND {enough}", POOR, []), (within, NEAR_POOR, []), ("1 = 1", NOT_POOR, [])]


# -- the preview's packed form B codes -----------------------------------------------------------

# Each indicator's form B reading as a number added into one integer per household (`fbits`): 1 for
# a final true (a true answer, or an override to true), 0 for a final false, its own bit from bit 8
# up when it is to be derived or is missing (no override, no true/false answer), `_BAD` when a fact
# is not what `evaluate` reads (the household goes to Python). The low byte counts the true finals,
# bits 8 up tell which indicators to derive, and any bad fact makes the total at least `_BAD`.
_ONES = 255
_MAX_PACKED = 31
_BAD = 1 << 40


def _need_bit(index: int) -> int:
    return 1 << (8 + index)


def _form_b_code(d: _Dialect, code: str, index: int) -> tuple[str, str]:
    """(short, full): the indicator's code from its answer alone when the form B has no overrides
    (the answer read once, as a simple CASE's operand), and from the answer's and the override's types
    when it has some: the same meaning as `bad` and `final` give the typed columns (`_at`, `_ot`, `_vt`,
    `_rt`) of the commit's statement."""
    need = _need_bit(index)
    empty = "'{}'::jsonb" if d.pg else "'{}'"
    # The answer's JSON type: 'true', 'false', 'null', another type, or NULL when absent (or when the
    # answers are not an object: no key to read).
    at = (
        d.jtype("a.answers", code)
        if d.pg
        else f"(CASE WHEN a.answers <> {empty} THEN {d.jtype('a.answers', code)} END)"
    )
    ot, vt, rt = (
        d.jtype("a.overrides", code),
        d.jtype("a.overrides", code, "value"),
        d.jtype("a.overrides", code, "reason"),
    )
    if d.pg:
        # The answer as text: a check of the table (`poverty_assessment_answers_booleans`, migration 0011,
        # decision 0042) holds every answer to true, false or null, so 'true' and 'false' are the JSON
        # booleans (not strings) and anything else is no answer. Comparing text is about twice as cheap
        # as comparing jsonb values, which cost a third of the preview's statement.
        short = f"(CASE a.answers ->> {lit(code)} WHEN 'false' THEN 0 WHEN 'true' THEN 1 ELSE {need} END)"
    else:
        short = (f"(CASE {at} WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'null' THEN {need} "
                 f"ELSE (CASE WHEN {at} IS NULL THEN {need} ELSE {_BAD} END) END)")  # fmt: skip
    bad = (f"({at} IS NOT NULL AND {at} NOT IN ('true', 'false', 'null')) OR ({ot} IS NOT NULL AND ({ot} <> 'object' "
           f"OR {vt} IS NULL OR {vt} NOT IN ('true', 'false') OR {rt} IS NULL OR {rt} NOT IN ('string', 'text')))")  # fmt: skip
    full = (f"(CASE WHEN {bad} THEN {_BAD} WHEN {ot} IS NOT NULL THEN (CASE WHEN {vt} = 'true' THEN 1 ELSE 0 END) "
            f"WHEN {at} = 'true' THEN 1 WHEN {at} = 'false' THEN 0 ELSE {need} END)")  # fmt: skip
    return short, full


# -- the statement -------------------------------------------------------------------------------


def create_stage_sql(vendor: str, *, keyed: bool = True) -> list[str]:
    """The staging table; `keyed`: with its primary key (the commit joins it to the households; a
    preview only counts and samples it, and the key's index cost about a tenth of its staging)."""
    big, text = ("BIGINT", "TEXT")
    temp = "CREATE TEMPORARY TABLE" if vendor == "postgresql" else "CREATE TEMP TABLE"
    columns = {
        "household_id": f"{big} PRIMARY KEY" if keyed else big, "commune_id": big, "old_class": text, "kept": "INTEGER",
        "assessment_id": big,
        "area": text, "farming": "INTEGER", "income_source": text, "income_per_capita": big, "income_score": big,
        "unit_path": text, "successor_path": text, "state": text, "klass": text, "flags": text,
        "deprivations": text, "indicators": text,
    }  # fmt: skip
    # PostgreSQL: a staged row (under 1 kB of JSON text with a dozen indicators since decision 0028, about
    # 2 kB before) stays in its page uncompressed up to a page's size, instead of being compressed on
    # write and again on read (TOAST from 2 kB); a larger row is still moved out of line.
    options = " WITH (toast_tuple_target = 8160)" if vendor == "postgresql" else ""
    return [f"DROP TABLE IF EXISTS {STAGE}",
            f"{temp} {STAGE} ({', '.join(f'{k} {v}' for k, v in columns.items())}){options}"]  # fmt: skip


def stage_sql(
    spec: StandardSpec,
    *,
    vendor: str,
    on_date: date,
    tables: dict[str, str],
    with_json: bool = True,
    province_key: str | None = None,
) -> str:
    """``INSERT INTO poverty_run_stage … SELECT`` for the households of one id range of a unit.

    `province_key`: the key every form B of the unit's households carries (`partitions.area_key` of the
    unit's path), when known: PostgreSQL then reads form B's partition of that province only (decision
    0037). Parameters: `stage_params`. Raises `NotCompilable`.
    """
    d = _Dialect(vendor)
    for indicator in spec.indicators:
        if not _SAFE.match(indicator.code):
            raise NotCompilable(f"indicator code {indicator.code!r}")
    if spec.deprivation_threshold < 1:
        raise NotCompilable("threshold")
    aggs: dict[str, str] = {}
    b_cols: list[str] = []
    derived: list[tuple[str, str]] = []  # (k, derived value) of the derived indicators
    codes_b: list[tuple[str, str]] = []  # the preview: each indicator's form B code (`_form_b_code`)
    if not with_json and len(spec.indicators) > _MAX_PACKED:
        raise NotCompilable("too many indicators for the preview's packed form B codes")
    # Level b reads each JSON fact once: the answer's type (`_at`) and, only when the form B has
    # overrides at all (most have none), the override's type and its value's and reason's types (`_ot`,
    # `_vt`, `_rt`). SQLite parses the JSON text again on every call, and the levels above use these
    # types many times. The derived indicators' facts are JSON-only (not in a preview); the override's
    # reason is not read at all: a result's records take it from the form B when read (decision 0028).
    empty = "'{}'::jsonb" if d.pg else "'{}'"

    def answered(expr: str) -> str:
        return f"(CASE WHEN a.answers <> {empty} THEN {expr} END)"

    def overridden(expr: str) -> str:
        return f"(CASE WHEN a.overrides <> {empty} THEN {expr} END)"

    for index, indicator in enumerate(spec.indicators):
        k = f"i{index}"
        if indicator.derived:
            try:
                rule_aggs, value, facts = _rule(d, indicator.rule, indicator.params, k)
            except (KeyError, TypeError) as exc:
                raise NotCompilable(f"{indicator.code}: {exc}") from exc
            aggs.update({f"{k}_{name}": expr for name, expr in rule_aggs.items()})
            derived.append((k, value))
        else:
            value, facts = "CAST(NULL AS INTEGER)", lit("{}")
        code = indicator.code
        # PostgreSQL: the answer as text, 'true', 'false' or NULL for null and absent alike (the table's check
        # allows nothing else, decision 0042; `final`, `missing` and `bad` read null and absent the same).
        answer_type = f"(a.answers ->> {lit(code)})" if d.pg else answered(d.jtype("a.answers", code))
        codes_b.append(_form_b_code(d, code, index))
        b_cols += [
            *([f"{value} AS {k}_d"] if with_json or not indicator.derived else []),
            f"{answer_type} AS {k}_at",
            f"{overridden(d.jtype('a.overrides', code))} AS {k}_ot",
            f"{overridden(d.jtype('a.overrides', code, 'value'))} AS {k}_vt",
            f"{overridden(d.jtype('a.overrides', code, 'reason'))} AS {k}_rt",
        ]
        if with_json and indicator.derived:  # the stored record: the derived value and these facts (0028)
            b_cols.append(f"{facts} AS {k}_f")
    ks = [f"i{index}" for index in range(len(spec.indicators))]
    devices_type = "jsonb_typeof(h.info_devices)" if d.pg else "json_type(h.info_devices)"
    hbad = f"{devices_type} NOT IN ('array', 'null')"
    b_cols.append(f"(CASE WHEN {hbad} THEN 1 ELSE 0 END) AS hbad")
    # (A score computed from the form B items is classified here like an entered one: its `score_table`
    # reason, which sent those households to Python, is built on read since decision 0027.)
    member_aggs = ", ".join(["count(*) AS n", f"{_sum('m.age IS NULL')} AS unk",
                             *(f"{expr} AS {name}" for name, expr in aggs.items())])  # fmt: skip
    # (PostgreSQL's preview: the same aggregates as one array, in the order n, unk, then `aggs`.)
    member_aggs_array = ", ".join(["count(*)", _sum("m.age IS NULL"), *aggs.values()])

    # A derived value counts only where the indicator has no override and no true/false answer
    # (`final`), in a household with a form B (without one it is incomplete whatever is derived).
    def needed(k: str, t: str) -> str:
        return (f"({t}.assessment_id IS NOT NULL AND {t}.{k}_ot IS NULL AND "
                f"({t}.{k}_at IS NULL OR {t}.{k}_at NOT IN ('true', 'false')))")  # fmt: skip

    # The preview: the same test on the packed form B codes (`fbits`: one bit per indicator to derive).
    index_of = {f"i{index}": index for index in range(len(spec.indicators))}
    derive_mask = sum(_need_bit(index_of[k]) for k, _value in derived)

    def any_needed(t: str) -> str:
        if with_json:
            return " OR ".join(needed(k, t) for k, _value in derived) or "1 = 0"
        return f"({t}.assessment_id IS NOT NULL AND ({t}.fbits & {derive_mask}) <> 0)" if derived else "1 = 0"

    # The preview (no JSON) reads members only for the households that need a derived value.
    only = "" if with_json else f"AND m.household_id IN (SELECT n.household_id FROM la n WHERE {any_needed('n')}) "

    def members_of(only: str, *, grouped: bool = True) -> str:
        return (
            f"SELECT {'m.household_id, ' if grouped else ''}{member_aggs} FROM (SELECT household_id, {d.age(on_date)} AS age, "
            f"{MEMBER_FACTS} FROM {tables['member']} m WHERE m.status = 'present' AND m.household_id BETWEEN %s AND %s {only}"
            # Not flattened into the aggregate: each member's age is then computed once, not once per use.
            f"{'OFFSET 0' if d.pg else 'LIMIT -1'}) m" + (" GROUP BY m.household_id" if grouped else "")
        )

    members = members_of(only)
    # The unit's households; on SQLite with the devices read once per household (`device_mask`),
    # kept a subquery (LIMIT -1) so that each use of `dev_mask` reads the value, not the subquery.
    # (The preview reads them at its derivation level, only where needed.)
    mask, keep = (f", {d.device_mask()} AS dev_mask", " LIMIT -1") if d.devices and with_json else ("", "")
    households = (
        f"(SELECT h.*{mask} FROM {tables['household']} h "
        "WHERE h.id BETWEEN %s AND %s AND h.status = 'active' "
        f"AND (substr(h.unit_path, 1, %s) = %s OR substr(h.successor_path, 1, %s) = %s){keep}) h"
    )
    # The latest form B of each household (for the standard): on PostgreSQL one ordered pass over the
    # range's form Bs (the `poverty_assess_latest` index) merged with the households, where a lookup
    # per household cost about as much; SQLite has no DISTINCT ON and its lookup is cheap.
    order = "a2.assessed_on DESC, a2.id DESC"
    in_range = "a2.standard_id = %s AND a2.household_id BETWEEN %s AND %s"
    if province_key is not None:  # a checked literal (letters, digits, ":_-"): the plan prunes to it
        in_range += f" AND a2.province_key = {ASSESSMENT_PARTITIONS.literal(province_key)}"
    if d.pg:
        # Only the columns the levels above read: the ordered pass hands each form B row up through the
        # `Unique` step, and the whole row (its free-text and key columns) made every copy wider.
        assessment = (f"(SELECT DISTINCT ON (a2.household_id) {ASSESSMENT_COLUMNS} FROM {tables['assessment']} a2 "
                      f"WHERE {in_range} ORDER BY a2.household_id, {order}) a ON a.household_id = h.id")  # fmt: skip
    else:
        assessment = (f"{tables['assessment']} a ON a.id = (SELECT a2.id FROM {tables['assessment']} a2 "
                      f"WHERE a2.household_id = h.id AND {in_range} ORDER BY {order} LIMIT 1)")  # fmt: skip
    farming = "CASE WHEN a.farming THEN 1 ELSE 0 END"
    # `kept`: the household's class was given by a recognition decision under this standard, so the
    # commit leaves it as it is (`services_runs._publish_households`); the counts tell these apart.
    kept = (f"CASE WHEN h.poverty_class_source = {lit(PovertyClassSource.DECISION.value)} AND h.poverty_standard = {lit(spec.code)} "
            "THEN 1 ELSE 0 END")  # fmt: skip
    base = (
        "SELECT h.id AS household_id, h.commune_id, COALESCE(h.poverty_class, '') AS old_class, "
        f"{kept} AS kept, a.id AS assessment_id, COALESCE(NULLIF(h.area_type, ''), 'rural') AS area, "
        f"{farming} AS farming, a.income_source, a.income_per_capita, a.income_score, h.unit_path, "
        "COALESCE(h.successor_path, '') AS successor_path"
    )
    if with_json:  # the commit: every derived value (the record keeps it beside the answer)
        level_b = (f"{base}, {', '.join(b_cols)} FROM {households} LEFT JOIN {assessment} "
                   f"LEFT JOIN ({members}) g ON g.household_id = h.id")  # fmt: skip
        # (PostgreSQL: a subquery kept from being flattened, as the preview's levels: a MATERIALIZED
        # level wrote its 2 kB rows to a tuplestore and read them back, about a seventh of the statement.)
        levels = "" if d.pg else f"lb AS MATERIALIZED ({level_b})"
    else:
        # The preview: level a reads the form B once into one integer per household (`fbits`, the
        # indicators' codes packed by `_form_b_code`) and carries the household facts the derivations
        # read; level b derives, only where an indicator's bit says so, from members read only for those
        # households. Most households answer every indicator: nothing is derived for them.
        used = " ".join([value for _k, value in derived] + ([d.device_mask()] if d.devices else []))
        carried = sorted(set(re.findall(r"\bh\.([a-z_][a-z0-9_]*)", used)) - {"dev_mask"})
        taken = {"household_id", "commune_id", "old_class", "kept", "assessment_id", "area", "farming", "income_source",
                 "income_per_capita", "income_score", "unit_path", "successor_path"}  # fmt: skip
        if set(carried) & taken or any(re.fullmatch(r"i[0-9]+_[a-z]+|fbits|cnt|state", c) for c in carried):
            raise NotCompilable(f"household columns {carried}")
        short = " + ".join(code for code, _full in codes_b)
        full = " + ".join(code for _short, code in codes_b)
        # A form B without overrides (most) takes the short code; devices that send a household to
        # Python weigh as a bad indicator.
        fbits = f"(CASE WHEN a.overrides <> {empty} THEN {full} ELSE {short} END) + (CASE WHEN {hbad} THEN {_BAD} ELSE 0 END)"
        level_a = (
            f"{base}, {''.join(f'h.{c}, ' for c in carried)}{fbits} AS fbits FROM {households} LEFT JOIN {assessment}"
        )
        source = "la h"
        if d.devices:  # SQLite: the devices' bit mask, read where a derivation may use it
            mask = f"CASE WHEN {any_needed('h')} THEN {d.device_mask()} END AS dev_mask"
            source = f"(SELECT h.*, {mask} FROM la h LIMIT -1) h"
        values = ", ".join(
            f"(CASE WHEN h.assessment_id IS NOT NULL AND (h.fbits & {_need_bit(index_of[k])}) <> 0 THEN {value} END) "
            f"AS {k}_d"
            for k, value in derived
        )
        if d.pg:
            # PostgreSQL: no materialized level (each wrote its rows to a tuplestore, spilled to disk at
            # 20,000 households): each level is a subquery kept from being flattened (OFFSET 0), so its
            # columns are computed once per row. The members' aggregates come as one array from a
            # sub-select that runs only for the households that need a derived value (a CASE branch not
            # taken runs nothing, where a lateral join ran its aggregate node once per household, reading
            # no member), and are named `g.<name>` for the derivations by a lateral select of no table
            # (flattened: plain expressions).
            names = ["n", "unk", *aggs]
            per_household = (f"SELECT ARRAY[{member_aggs_array}] FROM (SELECT household_id, {d.age(on_date)} AS age, "
                             f"{MEMBER_FACTS} FROM {tables['member']} m WHERE m.status = 'present' "
                             "AND m.household_id = h.household_id OFFSET 0) m")  # fmt: skip
            gathered = f"(CASE WHEN {any_needed('h')} THEN ({per_household}) END) AS g_values"
            named = ", ".join(f"h.g_values[{i}] AS {name}" for i, name in enumerate(names, start=1))
            level_b = (f"SELECT h.*{', ' + values if values else ''} FROM (SELECT h.*, {gathered} "
                       f"FROM ({level_a} OFFSET 0) h OFFSET 0) h CROSS JOIN LATERAL (SELECT {named}) g")  # fmt: skip
            levels = ""
        else:
            level_b = (f"SELECT h.*{', ' + values if values else ''} FROM {source} "
                       f"LEFT JOIN ({members}) g ON g.household_id = h.household_id")  # fmt: skip
            levels = f"la AS MATERIALIZED ({level_a}), lb AS MATERIALIZED ({level_b})"

    # What the types mean (as `evaluate` reads the answers and overrides): an answer counts when true
    # or false (`_at`), an indicator is overridden when its key is there at all (`_ot` not NULL) and
    # takes the override's value (`_vt`); a fact that is not a plain true/false (or an override
    # without a text reason) makes the household a fallback (`bad`).
    def boolean(k: str, t: str, true: str, false: str, other: str | None = None) -> str:
        return (
            f"(CASE {k}_{t} WHEN 'true' THEN {true} WHEN 'false' THEN {false}{f' ELSE {other}' if other else ''} END)"
        )

    def bad(k: str) -> str:
        return (f"(CASE WHEN ({k}_at IS NOT NULL AND {k}_at NOT IN ('true', 'false', 'null')) OR "
                f"({k}_ot IS NOT NULL AND ({k}_ot <> 'object' OR {k}_vt IS NULL OR {k}_vt NOT IN ('true', 'false') "
                f"OR {k}_rt IS NULL OR {k}_rt NOT IN ('string', 'text'))) THEN 1 ELSE 0 END)")  # fmt: skip

    # Level c: the count of final true values, the state and the deprivations,
    # from level b's columns (the final value's small CASE is repeated where the count and the list
    # need it: cheaper than one more materialized level).
    def final(k: str) -> str:
        return (f"(CASE WHEN {k}_ot IS NOT NULL THEN {boolean(k, 'vt', '1', '0')} WHEN {k}_at = 'true' THEN 1 "
                f"WHEN {k}_at = 'false' THEN 0 ELSE {k}_d END)")  # fmt: skip

    c_cols = []
    nbad = " + ".join(bad(k) for k in ks)
    count = " + ".join(f"COALESCE({final(k)}, 0)" for k in ks)
    # An indicator is missing: no override, no true/false answer, no derived value.
    missing = " OR ".join(f"({k}_ot IS NULL AND ({k}_at IS NULL OR {k}_at NOT IN ('true', 'false')) AND {k}_d IS NULL)"
                          for k in ks)  # fmt: skip
    sources = ", ".join(lit(s) for s in (DECLARED, COMPUTED, PROXY_SCORE))
    proxy_ok = "b.income_score IS NOT NULL AND b.income_score >= 0" if spec.proxy_score else "1 = 0"
    usable = (f"b.area IN ({', '.join(lit(a) for a in AREAS)}) AND b.income_source IN ({sources}) AND "
              f"CASE WHEN b.income_source = {lit(PROXY_SCORE)} THEN ({proxy_ok}) "
              "ELSE (b.income_per_capita IS NOT NULL AND b.income_per_capita >= 0) END")  # fmt: skip
    if with_json:
        state = (f"(CASE WHEN ({nbad} + b.hbad) > 0 THEN 'fallback' WHEN b.assessment_id IS NULL OR {missing} "
                 f"THEN 'incomplete' WHEN {usable} THEN 'ok' ELSE 'incomplete' END)")  # fmt: skip
    else:  # the same from the packed codes: bad, to derive (missing where nothing was derived), true
        missing = " OR ".join(
            [f"(b.fbits & {sum(_need_bit(index_of[k]) for k in ks) - derive_mask}) <> 0"]
            + [f"((b.fbits & {_need_bit(index_of[k])}) <> 0 AND b.{k}_d IS NULL)" for k, _value in derived]
        )
        state = (f"(CASE WHEN b.fbits >= {_BAD} THEN 'fallback' WHEN b.assessment_id IS NULL OR {missing} "
                 f"THEN 'incomplete' WHEN {usable} THEN 'ok' ELSE 'incomplete' END)")  # fmt: skip
        count = " + ".join([f"(b.fbits & {_ONES})", *(f"COALESCE(b.{k}_d, 0)" for k, _value in derived)])
    codes = [i.code for i in spec.indicators]
    c_cols += [f"({count}) AS cnt", f"{state} AS state"]
    if with_json:  # the deprivations' JSON list (the `deprivations` column)
        listed = _cat(d, *(_NotNull(f"(CASE WHEN {final(k)} = 1 THEN {lit(json.dumps(c) + ',')} ELSE '' END)")
                           for k, c in zip(ks, codes, strict=True)))  # fmt: skip
        c_cols.append(f"('[' || rtrim({listed}, ',') || ']') AS deps")
    level_c = f"SELECT b.*, {', '.join(c_cols)} FROM lb b"

    enough = f"(b.cnt >= {spec.deprivation_threshold})"
    # Per area, the proxy-score branches and the income branches, each in `classify`'s order.
    branches = {area: (_proxy_branches(spec, area, enough),
                       _branches(spec, area, on_date, "b.income_per_capita", enough)) for area in AREAS}  # fmt: skip

    def case(pick) -> str:
        """The first branch that holds, nested by area and income source (a classified household has
        one of `AREAS` and a non-NULL source): only its own area's and source's conditions are tested."""

        def first(whens) -> str:
            body = " ".join(f"WHEN {cond} THEN {pick(klass, flags)}" for cond, klass, flags in whens)
            return f"(CASE {body} END)" if whens else "NULL"

        areas = " ".join(f"WHEN {lit(area)} THEN (CASE WHEN b.income_source = {lit(PROXY_SCORE)} THEN {first(proxy)} "
                         f"ELSE {first(income)} END)" for area, (proxy, income) in branches.items())  # fmt: skip
        return f"(CASE WHEN b.state <> 'ok' THEN NULL ELSE (CASE b.area {areas} END) END)"

    klass = case(lambda k, f: lit(k))
    if with_json:
        # No reasons: a result's reasons are built from its facts when read (decision 0027).
        flags = case(lambda k, f: jlit(f))
        # Each indicator's derived value and facts, ``[[derived, facts], …]`` in the standard's order
        # (`indicators.compact`): the answer, override, reason, final value and source are built from
        # the form B when read (`Classification.result_indicators()`, decision 0028).
        has_facts = {k for k, _value in derived}
        pairs = [_cat(d, "'['", _bool(f"{k}_d"), "','", f"{k}_f" if k in has_facts else "'{}'", "']'") for k in ks]
        indicators = _cat(d, "'['", *(p for i, pair in enumerate(pairs) for p in ((pair,) if i == 0 else ("','", pair))),
                          "']'")  # fmt: skip
        json_cols = f"{flags}, b.deps, {indicators}"
    else:
        json_cols = "NULL, NULL, NULL"
    # Each level is computed once per row: inlined (both databases flatten subqueries in FROM), every
    # reference to a column of the level below would re-evaluate its whole expression, and the levels
    # refer to each other's columns many times (about 3× slower at 10k households, worse with size).
    # SQLite: MATERIALIZED CTEs; PostgreSQL: subqueries kept from being flattened (OFFSET 0).
    if levels:
        levels, source = f"WITH {levels}, lc AS MATERIALIZED ({level_c}) ", "lc b"
    elif with_json:  # PostgreSQL's commit
        level_c = level_c.replace("FROM lb b", f"FROM ({level_b} OFFSET 0) b")
        source = f"({level_c} OFFSET 0) b"
    else:  # PostgreSQL's preview (see above; its derivation level is flattened into level c)
        level_c = level_c.replace("FROM lb b", f"FROM ({level_b}) b")
        source = f"({level_c} OFFSET 0) b"
    return (
        # (INSERT first: Python's sqlite3 reports the row count, which drives the progress bar, only then.)
        f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) {levels}"
        "SELECT b.household_id, b.commune_id, b.old_class, b.kept, b.assessment_id, b.area, b.farming, b.income_source, "
        "b.income_per_capita, b.income_score, b.unit_path, b.successor_path, b.state, "
        f"{klass}, {json_cols} FROM {source}"
    )


def stage_params(
    *, standard_id: int, low: int, high: int, unit_path: str, vendor: str = "", with_json: bool = True
) -> list[Any]:
    """The parameters of `stage_sql` (of the same `vendor` and `with_json`): the households' id range and
    unit, the form Bs' standard and id range, then the members' id range, except in PostgreSQL's preview,
    which reads a household's members by its id."""
    members = [] if vendor == "postgresql" and not with_json else [low, high]
    return [low, high, len(unit_path), unit_path, len(unit_path), unit_path, standard_id, low, high, *members]
