"""How a household's class changed from the previous review to this one (diễn biến hộ nghèo, hộ cận nghèo).

`transition_of` is a pure function: the frozen results (`services_results.results_freeze`), the
reports and the tests all agree on it. The meanings follow the report forms of TT 07/2021/TT-BLĐTBXH
Phụ lục VII (biểu diễn biến hộ nghèo / hộ cận nghèo: đầu kỳ − thoát nghèo − chuyển thành hộ cận
nghèo − giảm khác + hộ cận nghèo thành hộ nghèo + tái nghèo + phát sinh mới = cuối kỳ) and the
domain brief (``shared/domain/vietnam-poverty-administration.md`` §6.2, reports 2 and 3).
"""

from __future__ import annotations

from ansinh.registry.choices import HouseholdStatus, PovertyClass

from .choices import Transition

POOR, NEAR_POOR = PovertyClass.POOR.value, PovertyClass.NEAR_POOR.value
AVERAGE, NOT_POOR = PovertyClass.AVERAGE.value, PovertyClass.NOT_POOR.value
# "Not on a list": no class before the review (an applicant never classified) counts as not poor.
OFF_LIST = frozenset({"", NOT_POOR, AVERAGE})

# The household left the review (its case was withdrawn): why, from the registry's household status.
LEFT = {
    HouseholdStatus.MOVED_OUT.value: Transition.MOVED_AWAY,  # chuyển đi nơi khác
    HouseholdStatus.MERGED.value: Transition.DIED,  # nhập vào hộ khác: the household no longer exists
    HouseholdStatus.DISSOLVED.value: Transition.DIED,  # hộ không còn (chết hết, giải thể)
}


def transition_of(
    previous_class: str, final_class: str, *, household_status: str, poor_before: bool, near_poor_before: bool
) -> Transition:
    """The transition of one household (total: any input gives a `Transition`).

    - `previous_class`: the class before this review ("" when it had none);
    - `final_class`: the class recognised now ("" when the household left the review);
    - `household_status`: the registry's status; when the household left, ``moved_out`` gives
      MOVED_AWAY (chuyển đi), ``merged``/``dissolved`` give DIED (hộ không còn), anything else OTHER;
    - `poor_before` / `near_poor_before`: the household was poor / near-poor in an earlier review.

    Rules (Phụ lục VII TT 07/2021):
    - now poor: from poor REMAINED_POOR, from near-poor NEAR_POOR_TO_POOR, from off the lists
      RE_POOR (tái nghèo) when it had been poor before, else NEWLY_POOR (phát sinh mới);
    - now near-poor: from poor POOR_TO_NEAR_POOR, from near-poor REMAINED_NEAR_POOR, from off the
      lists RE_NEAR_POOR (tái cận nghèo) when it had been near-poor before, else NEWLY_NEAR_POOR;
    - now not poor or average: from poor ESCAPED_POVERTY (thoát nghèo), from near-poor
      ESCAPED_NEAR_POVERTY (thoát cận nghèo); otherwise AVERAGE when now average (hộ có mức sống
      trung bình); NOT_POOR when not poor before and after (no class before counts as not poor);
    - anything else (average → not poor, unknown codes) OTHER.
    """
    previous, final = previous_class or "", final_class or ""
    if final == "":
        return LEFT.get(household_status, Transition.OTHER)
    if previous not in {POOR, NEAR_POOR} | OFF_LIST:
        return Transition.OTHER
    if final == POOR:
        if previous == POOR:
            return Transition.REMAINED_POOR
        if previous == NEAR_POOR:
            return Transition.NEAR_POOR_TO_POOR
        return Transition.RE_POOR if poor_before else Transition.NEWLY_POOR
    if final == NEAR_POOR:
        if previous == POOR:
            return Transition.POOR_TO_NEAR_POOR
        if previous == NEAR_POOR:
            return Transition.REMAINED_NEAR_POOR
        return Transition.RE_NEAR_POOR if near_poor_before else Transition.NEWLY_NEAR_POOR
    if final in (NOT_POOR, AVERAGE):
        if previous == POOR:
            return Transition.ESCAPED_POVERTY
        if previous == NEAR_POOR:
            return Transition.ESCAPED_NEAR_POVERTY
        if final == AVERAGE:
            return Transition.AVERAGE
        if previous in ("", NOT_POOR):
            return Transition.NOT_POOR
    return Transition.OTHER


# Transitions reported as entering / leaving each list (what the report forms add and subtract).
POOR_INCREASES = (Transition.NEWLY_POOR, Transition.RE_POOR, Transition.NEAR_POOR_TO_POOR)
POOR_DECREASES = (Transition.ESCAPED_POVERTY, Transition.POOR_TO_NEAR_POOR)
NEAR_POOR_INCREASES = (Transition.NEWLY_NEAR_POOR, Transition.RE_NEAR_POOR, Transition.POOR_TO_NEAR_POOR)
NEAR_POOR_DECREASES = (Transition.ESCAPED_NEAR_POVERTY, Transition.NEAR_POOR_TO_POOR)
