"""A standard's rule data compiled into one set-based SQL statement, for the bulk run.

`classify.classify` and `services.evaluate` stay the single definition of a classification; this
module writes the same decision as SQL (SQLite and PostgreSQL) so a run classifies a whole chunk of
households in the database: the latest form B per household, the present members' ages on the
run's date, every derivation rule with its facts, answers and overrides, the deprivation count, the
rule shape (``single_line``, ``two_tier``, ``two_band``), the proxy score, the farming average band
and the low-income flag, with the reasons and the indicator table built as JSON text exactly as the
Python path builds them. `tests/test_classify_sql.py` proves both give the same rows.

`stage_sql` returns an ``INSERT … SELECT`` into a temporary staging table. Each staged household is
``ok`` (classified), ``incomplete`` (no form B, an unanswered indicator or unusable income facts,
which the Python path also refuses) or ``fallback``: facts this compiler does not handle (an
answer or override that is not a plain true/false, devices that are not a list); the run evaluates
those few households with `services.evaluate`. A standard using a rule or a parameter the compiler
cannot express raises `NotCompilable` and the run takes the Python path for every household.
"""

# ruff: noqa: S608, E501 - statements built from the standard's checked data; every value is quoted by `lit`
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from .classify import AVERAGE, COMPUTED, DECLARED, NEAR_POOR, NOT_POOR, POOR, PROXY_SCORE
from .standard import AREAS, StandardSpec

STAGE = "poverty_run_stage"
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")

STAGE_COLUMNS = (
    "household_id", "commune_id", "old_class", "assessment_id", "area", "farming", "income_source",
    "income_per_capita", "income_score", "unit_path", "successor_path", "state", "klass", "flags",
    "deprivations", "indicators", "reasons",
)  # fmt: skip


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

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def quote(self, expr: str) -> str:
        """A SQL text value as a JSON string."""
        return f"to_jsonb(CAST({expr} AS TEXT))::text" if self.pg else f"json_quote({expr})"

    def jtype(self, column: str, *path: str) -> str:
        """The JSON type of column[path...]: 'true'/'false'/'null'/'object'/..., NULL when absent."""
        if self.pg:
            ref = column + "".join(f" -> {lit(p)}" for p in path)
            return (f"(CASE WHEN ({ref}) IS NULL THEN NULL WHEN jsonb_typeof({ref}) = 'boolean' "
                    f"THEN CASE WHEN ({ref}) = 'true'::jsonb THEN 'true' ELSE 'false' END "
                    f"ELSE jsonb_typeof({ref}) END)")  # fmt: skip
        return f"json_type({column}, {lit(_path(path))})"

    def jtext(self, column: str, *path: str) -> str:
        if self.pg:
            return column + "".join(f" -> {lit(p)}" for p in path[:-1]) + f" ->> {lit(path[-1])}"
        return f"json_extract({column}, {lit(_path(path))})"

    def has_device(self, column: str, device: str) -> str:
        if self.pg:
            return f"(jsonb_typeof({column}) = 'array' AND {column} @> {jlit([device])}::jsonb)"
        return (f"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_type({column}) = 'array' THEN {column} END) d "
                f"WHERE d.type = 'text' AND d.value = {lit(device)})")  # fmt: skip

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


def _obj(*pairs: tuple[str, str]) -> str:
    """JSON object text from (key, SQL expression giving JSON text) pairs."""
    parts = []
    for index, (key, expr) in enumerate(pairs):
        parts.append(lit(("{" if index == 0 else ",") + json.dumps(key) + ":"))
        parts.append(expr)
    parts.append(lit("}") if pairs else lit("{}"))
    return "(" + " || ".join(parts) + ")"


def _c(value: Any) -> str:
    """A constant JSON value as SQL text."""
    return jlit(value)


def _bool(expr: str) -> str:
    return f"(CASE {expr} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END)"


def _flag(cond: str) -> str:
    return f"(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _sum(cond: str) -> str:
    return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)"


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
        facts = (f"(CASE WHEN {hit} > 0 THEN {_obj(('count', d.text(hit)))} "
                 f"WHEN {blank} > 0 OR {unk} > 0 THEN {_obj(('missing', _c(missing)))} ELSE {false_facts} END)")  # fmt: skip
        return value, facts

    if rule == "member_labour_status_in":
        r = in_range(params["min_age"], params["max_age"])
        aggs = {"hit": _sum(f"{r} AND {_in('m.labour_status', params['statuses'])}"),
                "blank": _sum(f"{r} AND m.labour_status = ''"), "wa": _sum(r)}  # fmt: skip
        value, facts = counted(g("hit"), g("blank"), "labour_status",
                               _obj(("count", _c(0)), ("working_age", d.text(g("wa")))))  # fmt: skip
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
        facts = (f"(CASE WHEN {none} THEN {_obj(('missing', _c('age')))} "
                 f"ELSE {_obj(('dependants', d.text(g('dep'))), ('members', d.text(n)))} END)")  # fmt: skip
        return aggs, value, facts
    if rule == "member_without_health_insurance":
        concerned = f"(m.age IS NOT NULL AND m.age >= {_int(params['min_age'])})"
        aggs = {"hit": _sum(f"{concerned} AND m.health_insurance = 'no'"),
                "blank": _sum(f"{concerned} AND m.health_insurance = ''")}  # fmt: skip
        value, facts = counted(g("hit"), g("blank"), "health_insurance", _obj(("count", _c(0))))
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
        value, facts = counted(g("hit"), g("blank"), "schooling", _obj(("count", _c(0))))
        return aggs, value, facts
    if rule == "child_not_in_school":
        r = in_range(params["min_age"], params["max_age"])
        aggs = {"hit": _sum(f"{r} AND m.schooling = 'none'"), "blank": _sum(f"{r} AND m.schooling = ''")}
        value, facts = counted(g("hit"), g("blank"), "schooling", _obj(("count", _c(0))))
        return aggs, value, facts
    if rule == "housing_not_durable":
        parts = ("h.wall_durability", "h.column_durability", "h.roof_durability")
        blank = " OR ".join(f"COALESCE({p}, '') = ''" for p in parts)
        durable = "(" + " + ".join(_flag(f"{p} = 'durable'") for p in parts) + ")"
        value = f"(CASE WHEN {blank} THEN NULL WHEN {durable} < {_int(params['min_durable_parts'])} THEN 1 ELSE 0 END)"
        facts = (f"(CASE WHEN {blank} THEN {_obj(('missing', _c('durability')))} "
                 f"ELSE {_obj(('durable_parts', d.text(durable)))} END)")  # fmt: skip
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
        facts = (f"(CASE WHEN {none} THEN {_obj(('missing', _c('housing_area_m2')))} "
                 f"ELSE {_obj(('m2_per_person', d.text(d.real(f'{q} + {up}') + ' / 10')))} END)")  # fmt: skip
        return {}, value, facts
    if rule in ("water_source_not_in", "latrine_not_in"):
        column = "water_source" if rule == "water_source_not_in" else "latrine_type"
        ref = f"COALESCE(h.{column}, '')"
        value = f"(CASE WHEN {ref} = '' THEN NULL WHEN {_in(ref, params['accepted'])} THEN 0 ELSE 1 END)"
        facts = (f"(CASE WHEN {ref} = '' THEN {_obj(('missing', _c(column)))} "
                 f"ELSE {_obj((column, d.quote(ref)))} END)")  # fmt: skip
        return {}, value, facts
    if rule == "lacks_all_devices":
        devices = sorted(set(params["devices"]))
        for device in devices:
            if not isinstance(device, str):
                raise NotCompilable("devices")
        have = [d.has_device("h.info_devices", device) for device in devices]
        listed = " || ".join(f"(CASE WHEN {h} THEN {lit(json.dumps(v) + ',')} ELSE '' END)"
                             for h, v in zip(have, devices, strict=True)) or "''"  # fmt: skip
        value = f"(CASE WHEN {' OR '.join(have) or '1 = 0'} THEN 0 ELSE 1 END)"
        facts = _obj(("devices", f"('[' || rtrim({listed}, ',') || ']')"))
        return {}, value, facts
    raise NotCompilable(f"rule {rule}")


# -- classification branches (mirror classify.classify) -------------------------------------------


def _branches(spec: StandardSpec, area: str, on_date: date, inc: str, enough: str):
    """[(condition, class, [reason JSON text], [flag])] for the declared/computed income path."""
    lines = spec.lines[area]
    factor = 12 if spec.income_period == "year" else 1

    def within(line: int) -> str:
        return f"({inc} * {factor} <= {_int(line)})"

    def note(code: str, line: int, which: str) -> str:
        return _obj(("code", _c(code)), ("income", f"CAST({inc} AS TEXT)"), ("line", _c(line)),
                    ("line_kind", _c(which)), ("area", _c(area)), ("period", _c(spec.income_period)))  # fmt: skip

    def const(**kw) -> str:
        return _c(kw)

    rule = spec.rule
    decided: list[tuple[str, str, list[str]]] = []  # income settles the class
    if rule == "single_line":
        w = within(lines.poor)
        decided += [
            (
                f"{w} AND {enough}",
                POOR,
                [note("income_within", lines.poor, "poor"), const(code="rule_poor", rule=rule)],
            ),
            (w, NEAR_POOR, [note("income_within", lines.poor, "poor"), const(code="rule_near_poor", rule=rule)]),
        ]
        above = [note("income_above", lines.poor, "poor")]
    elif rule == "two_tier":
        wp, wn = within(lines.poor), within(lines.near_poor)
        decided += [
            (wp, POOR, [note("income_within", lines.poor, "poor_lower"), const(code="rule_poor_lower_tier", rule=rule)]),
            (f"{wn} AND {enough}", POOR,
             [note("income_within", lines.near_poor, "near_poor"), const(code="rule_poor", rule=rule)]),
            (wn, NEAR_POOR, [note("income_within", lines.near_poor, "near_poor"), const(code="rule_near_poor", rule=rule)]),
        ]  # fmt: skip
        above = [note("income_above", lines.near_poor, "near_poor")]
    elif rule == "two_band":
        wp, wn = within(lines.poor), within(lines.near_poor)
        decided += [
            (f"{wp} AND {enough}", POOR, [note("income_within", lines.poor, "poor"), const(code="rule_poor", rule=rule)]),
            (wn, NEAR_POOR, [note("income_within", lines.near_poor, "near_poor"),
                             const(code="rule_near_poor", rule=rule)]),
        ]  # fmt: skip
        above = [note("income_above", lines.near_poor, "near_poor")]
    else:
        raise NotCompilable(f"rule shape {rule}")
    out = [(cond, klass, reasons, []) for cond, klass, reasons in decided]
    rest: list[tuple[str, str, list[str]]] = []
    if lines.average is not None:
        wa = within(lines.average)
        band = _obj(("code", _c("average_band")), ("income", f"CAST({inc} AS TEXT)"), ("line", _c(lines.average)),
                    ("area", _c(area)), ("period", _c(spec.income_period)))  # fmt: skip
        rest += [
            (f"{wa} AND b.farming = 1", AVERAGE, [*above, band]),
            (wa, NOT_POOR, [*above, const(code="average_band_not_farming", line=lines.average)]),
        ]
    rest.append(("1 = 1", NOT_POOR, above))
    low_applies = lines.low_income is not None and (spec.low_income_from is None or on_date >= spec.low_income_from)
    for cond, klass, reasons in rest:
        if low_applies:
            low = _obj(("code", _c("low_income")), ("income", f"CAST({inc} AS TEXT)"), ("line", _c(lines.low_income)),
                       ("area", _c(area)), ("period", _c(spec.income_period)))  # fmt: skip
            out.append((f"{cond} AND {within(lines.low_income)}", klass, [*reasons, low], ["low_income"]))
        out.append((cond, klass, reasons, []))
    return out


def _proxy_branches(spec: StandardSpec, area: str, enough: str):
    if spec.proxy_score is None:
        return []
    threshold = _int(spec.proxy_score.income_thresholds[area])
    within = f"(b.income_score <= {threshold})"

    def score(code: str) -> str:
        return _obj(("code", _c(code)), ("score", "CAST(b.income_score AS TEXT)"), ("threshold", _c(threshold)),
                    ("area", _c(area)))  # fmt: skip

    rule = spec.rule
    out = [
        (f"{within} AND {enough}", POOR, [score("score_within"), _c({"code": "rule_poor", "rule": rule})], []),
        (within, NEAR_POOR, [score("score_within"), _c({"code": "rule_near_poor", "rule": rule})], []),
    ]
    if spec.lines[area].average is not None:
        out.append(("b.farming = 1", NOT_POOR, [score("score_above"), _c({"code": "average_needs_income"})], []))
    out.append(("1 = 1", NOT_POOR, [score("score_above")], []))
    return out


# -- the statement -------------------------------------------------------------------------------


def create_stage_sql(vendor: str) -> list[str]:
    big, text = ("BIGINT", "TEXT")
    temp = "CREATE TEMPORARY TABLE" if vendor == "postgresql" else "CREATE TEMP TABLE"
    columns = {
        "household_id": f"{big} PRIMARY KEY", "commune_id": big, "old_class": text, "assessment_id": big,
        "area": text, "farming": "INTEGER", "income_source": text, "income_per_capita": big, "income_score": big,
        "unit_path": text, "successor_path": text, "state": text, "klass": text, "flags": text,
        "deprivations": text, "indicators": text, "reasons": text,
    }  # fmt: skip
    return [f"DROP TABLE IF EXISTS {STAGE}", f"{temp} {STAGE} ({', '.join(f'{k} {v}' for k, v in columns.items())})"]


def stage_sql(spec: StandardSpec, *, vendor: str, on_date: date, tables: dict[str, str], with_json: bool = True) -> str:
    """``INSERT INTO poverty_run_stage … SELECT`` for the households of one id range of a unit.

    Parameters: `stage_params`. Raises `NotCompilable`.
    """
    d = _Dialect(vendor)
    for indicator in spec.indicators:
        if not _SAFE.match(indicator.code):
            raise NotCompilable(f"indicator code {indicator.code!r}")
    if spec.deprivation_threshold < 1:
        raise NotCompilable("threshold")
    aggs: dict[str, str] = {}
    b_cols: list[str] = []
    for index, indicator in enumerate(spec.indicators):
        k = f"i{index}"
        if indicator.derived:
            try:
                rule_aggs, value, facts = _rule(d, indicator.rule, indicator.params, k)
            except (KeyError, TypeError) as exc:
                raise NotCompilable(f"{indicator.code}: {exc}") from exc
            aggs.update({f"{k}_{name}": expr for name, expr in rule_aggs.items()})
        else:
            value, facts = "CAST(NULL AS INTEGER)", lit("{}")
        code = indicator.code
        answer_type = d.jtype("a.answers", code)
        override_type = d.jtype("a.overrides", code)
        value_type = d.jtype("a.overrides", code, "value")
        reason_type = d.jtype("a.overrides", code, "reason")
        b_cols += [
            f"{value} AS {k}_d", f"{facts} AS {k}_f",
            f"(CASE {answer_type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) AS {k}_a",
            f"(CASE WHEN {override_type} IS NOT NULL THEN 1 ELSE 0 END) AS {k}_o",
            f"(CASE {value_type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END) AS {k}_ov",
            f"{d.jtext('a.overrides', code, 'reason')} AS {k}_or",
            f"(CASE WHEN ({answer_type} IS NOT NULL AND {answer_type} NOT IN ('true', 'false', 'null')) OR "
            f"({override_type} IS NOT NULL AND ({override_type} <> 'object' OR {value_type} IS NULL OR "
            f"{value_type} NOT IN ('true', 'false') OR {reason_type} IS NULL OR {reason_type} NOT IN ('string', 'text'))) "
            f"THEN 1 ELSE 0 END) AS {k}_bad",
        ]  # fmt: skip
    ks = [f"i{index}" for index in range(len(spec.indicators))]
    devices_type = "jsonb_typeof(h.info_devices)" if d.pg else "json_type(h.info_devices)"
    b_cols.append(f"(CASE WHEN {devices_type} NOT IN ('array', 'null') THEN 1 ELSE 0 END) AS hbad")
    # A score computed from the form B items adds the `score_table` reason (`scoring.with_table_reason`):
    # those few households go through Python `evaluate`.
    scored = "a.score_detail <> '{}'::jsonb" if d.pg else "a.score_detail NOT IN ('{}', 'null', '')"
    b_cols.append(f"(CASE WHEN a.income_source = {lit(PROXY_SCORE)} AND a.score_detail IS NOT NULL AND {scored} "
                  "THEN 1 ELSE 0 END) AS sbad")  # fmt: skip
    member_aggs = ", ".join(["count(*) AS n", "sum(CASE WHEN m.age IS NULL THEN 1 ELSE 0 END) AS unk",
                             *(f"{expr} AS {name}" for name, expr in aggs.items())])  # fmt: skip
    members = (
        f"SELECT m.household_id, {member_aggs} FROM (SELECT household_id, {d.age(on_date)} AS age, "
        "COALESCE(labour_status, '') AS labour_status, COALESCE(health_insurance, '') AS health_insurance, "
        "COALESCE(schooling, '') AS schooling, COALESCE(diploma, '') AS diploma, "
        "COALESCE(disability, '') AS disability, COALESCE(allowance, '') AS allowance "
        f"FROM {tables['member']} m WHERE m.status = 'present' AND m.household_id BETWEEN %s AND %s "
        # Not flattened into the aggregate: each member's age is then computed once, not once per use.
        f"{'OFFSET 0' if d.pg else 'LIMIT -1'}) m "
        "GROUP BY m.household_id"
    )
    latest = (f"(SELECT a2.id FROM {tables['assessment']} a2 WHERE a2.household_id = h.id AND a2.standard_id = %s "
              "ORDER BY a2.assessed_on DESC, a2.id DESC LIMIT 1)")  # fmt: skip
    farming = "CASE WHEN a.farming THEN 1 ELSE 0 END"
    level_b = (
        "SELECT h.id AS household_id, h.commune_id, COALESCE(h.poverty_class, '') AS old_class, "
        "a.id AS assessment_id, COALESCE(NULLIF(h.area_type, ''), 'rural') AS area, "
        f"{farming} AS farming, a.income_source, a.income_per_capita, a.income_score, h.unit_path, "
        f"COALESCE(h.successor_path, '') AS successor_path, {', '.join(b_cols)} "
        f"FROM {tables['household']} h LEFT JOIN {tables['assessment']} a ON a.id = {latest} "
        f"LEFT JOIN ({members}) g ON g.household_id = h.id "
        "WHERE h.id BETWEEN %s AND %s AND h.status = 'active' "
        "AND (substr(h.unit_path, 1, %s) = %s OR substr(h.successor_path, 1, %s) = %s)"
    )
    c_cols = []
    for k in ks:
        c_cols += [
            f"(CASE WHEN {k}_o = 1 THEN {k}_ov WHEN {k}_a IS NOT NULL THEN {k}_a ELSE {k}_d END) AS {k}_fin",
            f"(CASE WHEN {k}_o = 1 THEN 'override' WHEN {k}_a IS NOT NULL THEN 'form_b' "
            f"WHEN {k}_d IS NOT NULL THEN 'derived' ELSE 'missing' END) AS {k}_src",
        ]
    bad = " + ".join(f"{k}_bad" for k in ks)
    level_c = f"SELECT b.*, {', '.join(c_cols)}, ({bad} + hbad + sbad) AS nbad FROM lb b"
    count = " + ".join(f"COALESCE({k}_fin, 0)" for k in ks)
    missing = " OR ".join(f"{k}_src = 'missing'" for k in ks)
    sources = ", ".join(lit(s) for s in (DECLARED, COMPUTED, PROXY_SCORE))
    proxy_ok = "b.income_score IS NOT NULL AND b.income_score >= 0" if spec.proxy_score else "1 = 0"
    usable = (f"b.area IN ({', '.join(lit(a) for a in AREAS)}) AND b.income_source IN ({sources}) AND "
              f"CASE WHEN b.income_source = {lit(PROXY_SCORE)} THEN ({proxy_ok}) "
              "ELSE (b.income_per_capita IS NOT NULL AND b.income_per_capita >= 0) END")  # fmt: skip
    state = (f"(CASE WHEN b.nbad > 0 THEN 'fallback' WHEN b.assessment_id IS NULL OR {missing} THEN 'incomplete' "
             f"WHEN {usable} THEN 'ok' ELSE 'incomplete' END)")  # fmt: skip
    level_d = f"SELECT b.*, ({count}) AS cnt, {state} AS state FROM lc b"

    enough = f"(b.cnt >= {spec.deprivation_threshold})"
    whens = []
    for area in AREAS:
        for cond, klass, reasons, flags in _proxy_branches(spec, area, enough):
            whens.append((f"b.area = {lit(area)} AND b.income_source = {lit(PROXY_SCORE)} AND {cond}", klass,
                          reasons, flags))  # fmt: skip
        for cond, klass, reasons, flags in _branches(spec, area, on_date, "b.income_per_capita", enough):
            whens.append((f"b.area = {lit(area)} AND b.income_source <> {lit(PROXY_SCORE)} AND {cond}", klass,
                          reasons, flags))  # fmt: skip

    def case(pick) -> str:
        body = " ".join(f"WHEN {cond} THEN {pick(klass, reasons, flags)}" for cond, klass, reasons, flags in whens)
        return f"(CASE WHEN b.state <> 'ok' THEN NULL {body} END)"

    klass = case(lambda k, r, f: lit(k))
    if with_json:
        head = _c({"code": "standard", "standard": spec.code, "name": spec.name,
                   "legal_basis": spec.legal_basis_text()})  # fmt: skip
        codes = [i.code for i in spec.indicators]
        deps = ("('[' || rtrim(" + " || ".join(f"(CASE WHEN {k}_fin = 1 THEN {lit(json.dumps(c) + ',')} ELSE '' END)"
                                              for k, c in zip(ks, codes, strict=True)) + ", ',') || ']')")  # fmt: skip
        dep_reason = _obj(("code", _c("deprivations")), ("count", "CAST(b.cnt AS TEXT)"),
                          ("threshold", _c(spec.deprivation_threshold)), ("indicators", deps))  # fmt: skip
        reasons = case(lambda k, r, f: "('[' || " + head + " || ',' || " + dep_reason + " || "
                       + " || ".join(f"',' || {x}" for x in r) + " || ']')")  # fmt: skip
        flags = case(lambda k, r, f: jlit(f))
        rows = []
        for k, code in zip(ks, codes, strict=True):
            rows.append(_obj(("code", _c(code)), ("derived", _bool(f"{k}_d")), ("facts", f"{k}_f"),
                             ("answer", _bool(f"{k}_a")),
                             ("override", f"(CASE WHEN {k}_o = 1 THEN {_bool(f'{k}_ov')} ELSE 'null' END)"),
                             ("reason", f"(CASE WHEN {k}_o = 1 THEN {d.quote(f'{k}_or')} ELSE '\"\"' END)"),
                             ("final", _bool(f"{k}_fin")), ("source", d.quote(f"{k}_src"))))  # fmt: skip
        indicators = "('[' || " + " || ',' || ".join(rows) + " || ']')"
        json_cols = f"{flags}, {deps}, {indicators}, {reasons}"
    else:
        json_cols = "NULL, NULL, NULL, NULL"
    # Each level is a MATERIALIZED CTE: inlined (both databases flatten subqueries in FROM), every
    # reference to a column of the level below would re-evaluate its whole expression, and the levels
    # refer to each other's columns many times (about 3× slower at 10k households, worse with size).
    return (
        # (INSERT first: Python's sqlite3 reports the row count, which drives the progress bar, only then.)
        f"INSERT INTO {STAGE} ({', '.join(STAGE_COLUMNS)}) "
        f"WITH lb AS MATERIALIZED ({level_b}), lc AS MATERIALIZED ({level_c}), ld AS MATERIALIZED ({level_d}) "
        "SELECT b.household_id, b.commune_id, b.old_class, b.assessment_id, b.area, b.farming, b.income_source, "
        "b.income_per_capita, b.income_score, b.unit_path, b.successor_path, b.state, "
        f"{klass}, {json_cols} FROM ld b"
    )


def stage_params(*, standard_id: int, low: int, high: int, unit_path: str) -> list[Any]:
    return [standard_id, low, high, low, high, len(unit_path), unit_path, len(unit_path), unit_path]
