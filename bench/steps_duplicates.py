"""Duplicate detection benchmark (issue 6): the scan as the app runs it, against the ground truth.

On a registry made by `bench_generate` (which seeds about 1 % of persons again, perturbed: typo,
lost diacritics, day and month swapped, the same person in two communes, and writes those pairs
to a ground-truth file), `duplicates_scan` runs over the province exactly as the scan job does
(`services_duplicates._scan_job`: the members under the province's path, the default threshold,
CCCD pairs then fuzzy pairs, stored as `DuplicatePair` rows). The stored pairs are then compared
with the ground truth: precision, recall and F1, and recall per kind of seeded duplicate.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .steps import step


def _province(code: str):
    from ansinh.geo.choices import Level, Structure
    from ansinh.geo.models import AdminUnit

    return AdminUnit.objects.get(structure=Structure.Y2025, level=Level.PROVINCE, code=code)


def score_against_truth(found: set[tuple[int, int]], truth: dict[tuple[int, int], str]) -> dict[str, Any]:
    """Precision, recall and F1 of the `found` pairs (low id first) against the seeded `truth` pairs
    (pair → kind), with the recall of each kind."""
    hits = found & truth.keys()
    precision = len(hits) / len(found) if found else 0.0
    recall = len(hits) / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    kinds = Counter(truth.values())
    found_kinds = Counter(truth[pair] for pair in hits)
    return {
        "found": len(found), "truth": len(truth), "true_positives": len(hits),
        "false_positives": len(found) - len(hits), "false_negatives": len(truth) - len(hits),
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "recall_by_kind": {kind: round(found_kinds[kind] / n, 4) for kind, n in sorted(kinds.items())},
    }  # fmt: skip


def load_truth(path: str | Path) -> dict[tuple[int, int], str]:
    """The seeded pairs (low id first) → kind, closed under "same person": when one person was
    copied twice (a typo here, a swapped date there), the two copies are a pair too (kind
    ``"transitive"``), as the generator's file lists only source–copy pairs."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    truth = {(min(p["a"], p["b"]), max(p["a"], p["b"])): p["kind"] for p in data["pairs"]}
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in truth:
        if root(a) != root(b):
            parent[root(a)] = root(b)
    clusters: dict[int, list[int]] = {}
    for member in {m for pair in truth for m in pair}:
        clusters.setdefault(root(member), []).append(member)
    for members in clusters.values():
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                truth.setdefault((a, b), "transitive")
    return truth


def queue_precision(ordered: list[tuple[int, int]], truth: dict[tuple[int, int], str]) -> dict[str, Any]:
    """How well an order of the stored pairs serves an officer working the queue from the top: the
    share of true pairs among the first 10 %, 25 % and 50 %, and the average precision (the mean,
    over the true pairs, of the precision down to each; 1.0 = every true pair before every false)."""
    hits = [pair in truth for pair in ordered]
    found = sum(hits)
    out: dict[str, Any] = {}
    for share in (10, 25, 50):
        top = hits[: max(1, len(hits) * share // 100)] if hits else []
        out[f"precision_first_{share}pct"] = round(sum(top) / len(top), 4) if top else 0.0
    total, seen = 0.0, 0
    for rank, hit in enumerate(hits, start=1):
        if hit:
            seen += 1
            total += seen / rank
    out["average_precision"] = round(total / found, 4) if found else 0.0
    return out


@step("duplicates")
def duplicates(params: dict[str, Any]) -> dict[str, Any]:
    """`duplicates_scan` over the province (as the scan job runs it), timed, then scored against the
    ground-truth file; peak memory is the step's own (the harness adds it). ``cpu_seconds`` is this
    process's CPU time (the database server's is not in it): on a shared machine it varies less
    than the wall time."""
    from ansinh.registry.duplicates import default_threshold, duplicates_scan, members_in_area
    from ansinh.registry.models import DuplicatePair, Member

    province = _province(params["province"])
    truth = load_truth(params["ground_truth"])
    DuplicatePair.objects.all().delete()  # a rerun measures a first scan, not a refresh
    members = Member.objects.count()
    start, cpu_start = time.perf_counter(), time.process_time()
    stats = duplicates_scan(members=members_in_area(province.path), threshold=params.get("threshold"))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    found = set(DuplicatePair.objects.values_list("member_a_id", "member_b_id"))
    kinds = Counter(DuplicatePair.objects.values_list("kind", flat=True))
    scored = score_against_truth(found, truth)
    # The queue's order (score, then fewer namesakes: decision 0025) against score alone, as before.
    # CCCD pairs (score 1, all true here) fill the top of both orders: the fuzzy pairs alone show the
    # difference (the queue can be filtered by kind).
    pairs = DuplicatePair.objects.values_list("member_a_id", "member_b_id")
    fuzzy = pairs.filter(kind="fuzzy")
    queue = {
        "queue_order": queue_precision(list(pairs.order_by("-score", "namesakes", "id")), truth),
        "score_order": queue_precision(list(pairs.order_by("-score", "id")), truth),
        "fuzzy_queue_order": queue_precision(list(fuzzy.order_by("-score", "namesakes", "id")), truth),
        "fuzzy_score_order": queue_precision(list(fuzzy.order_by("-score", "id")), truth),
    }
    return {
        "seconds": seconds, "cpu_seconds": cpu_seconds, "members": members,
        "threshold": params.get("threshold") or default_threshold(),
        "stats": stats.as_dict(), "pairs_by_kind": dict(kinds),
        "comparisons_per_second": round(stats.comparisons / seconds, 1) if seconds else None,
        "members_per_second": round(members / seconds, 1) if seconds else None,
        **scored, **queue,
    }  # fmt: skip
