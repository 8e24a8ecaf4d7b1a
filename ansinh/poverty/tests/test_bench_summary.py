"""The benchmark's summary of a bulk classification (`bench.run._classification`): the issue's target
(at most 1.5× one SQL statement) is read on the preview, and the printed row shows it beside the commit's."""

from bench.run import CLASSIFY_HEADER, _classification, _classify_row


def test_the_classification_summary_gives_the_previews_ratio_to_the_floor():
    counts = {"poor": 5, "near_poor": 4, "average": 3, "not_poor": 88}
    steps = {
        "classify": {"preview_seconds": 6.0, "commit_seconds": 40.0, "max_rss_mb": 90.0,
                     "counts": {**counts, "households": 100, "changed": 7}},
        "classify_sql": {"seconds": 4.0, "max_rss_mb": 80.0, "counts": counts},
    }  # fmt: skip
    summary = _classification(steps)["classification"]
    ratios = (summary["preview_ratio_to_sql"], summary["commit_ratio_to_sql"], summary["total_ratio_to_sql"])
    assert ratios == (1.5, 10.0, 11.5)
    assert summary["same_counts_as_sql"] and summary["households"] == 100
    row = _classify_row({"database": "postgresql", "classification": summary})
    assert "1.50x" in row and "10.0x" in row and "11.5x" in row and "yes" in row
    assert "preview/SQL" in CLASSIFY_HEADER and len(row) == len(CLASSIFY_HEADER)
