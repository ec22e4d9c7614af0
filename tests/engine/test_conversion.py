"""The BNRA's two scale generations (be-bnra-2023, 5-point; be-bnra-2025, 7-point) against the
application's closed forms (NCCN-CIPRA/cipra-bnra, src/functions/indicators), at class edges and
midpoints, and the conversions between them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nsra.engine.conversion import convert, quantity
from nsra.engine.scales import ScaleKernel
from nsra.io.methods import load_method

M5 = load_method("be-bnra-2023")
M7 = load_method("be-bnra-2025")
POSITIONS = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5]
POSITIONS7 = [*POSITIONS, 6.0, 6.5, 7.0, 7.5]


def rp5(s: float) -> float:
    return 12 * 3 * 10 ** (4.5 - s)


def rp7(s: float) -> float:
    return 12 * math.exp(12 - 2.3 * s)


def eur7(s: float, aggregation: float = 1.0) -> float:
    return s / 0.5 * 500_000 if s <= 0.5 else aggregation * math.exp(1.92 * (s - 0.5) + 13.2)


def eur5(s: float) -> float:
    return s / 0.5 * 5_000_000 if s <= 0.5 else 1_600_000 * 10**s


def interval(bounds: list[float], s: float) -> float:
    k = math.floor(s + 0.5)
    if k < 0.5:
        return s / 0.5 * bounds[1]
    if k >= len(bounds) - 1:
        return 1.0
    return bounds[k] + (bounds[k + 1] - bounds[k]) * ((s + 0.5) % 1)


CP5 = [0, 0.001, 0.01, 0.1, 0.5, 0.9, 1.0]
M3 = [0, 0.01, 0.5, 0.9, 1.0]
B7 = [0, 0.0001, 0.10, 0.25, 0.40, 0.55, 0.75, 0.90, 1.0]


def test_dp_5_point_at_2_5_is_a_3600_month_return_period() -> None:
    dp = ScaleKernel.of(M5.scale("dp"))
    assert float(dp.value(2.5)) == pytest.approx(3600.0, rel=1e-13)
    got = dp.value(POSITIONS[3:])
    assert got.tolist() == pytest.approx([rp5(s) for s in POSITIONS[3:]], rel=1e-13)


def test_dp_7_point_is_12_exp_12_minus_2_3_s() -> None:
    dp = ScaleKernel.of(M7.scale("dp7"))
    assert dp.value(POSITIONS7).tolist() == pytest.approx([rp7(s) for s in POSITIONS7], rel=1e-12)


def test_cp7_and_m7_are_the_applications_interval_scales() -> None:
    cp7 = ScaleKernel.of(M7.scale("cp7"))
    assert float(cp7.value(1.0)) == pytest.approx(0.05005, rel=1e-13)
    for sid in ("cp7", "m7"):
        k = ScaleKernel.of(M7.scale(sid))
        want = [interval(B7, s) for s in POSITIONS7]
        assert k.value(POSITIONS7).tolist() == pytest.approx(want, rel=1e-13, abs=1e-16)
    cp5 = ScaleKernel.of(M5.scale("cp"))
    assert cp5.value(POSITIONS).tolist() == pytest.approx([interval(CP5, s) for s in POSITIONS])
    m3 = ScaleKernel.of(M5.scale("m"))
    assert m3.value(POSITIONS[:8]).tolist() == pytest.approx(
        [interval(M3, s) for s in POSITIONS[:8]]
    )


def test_impact_scales_of_both_generations() -> None:
    got = quantity(M7, "monetisation", POSITIONS7)
    assert got.tolist() == pytest.approx([eur7(s) for s in POSITIONS7], rel=1e-12)
    ti = quantity(M7, "ti7", POSITIONS7)
    assert ti.tolist() == pytest.approx([eur7(s, 10) for s in POSITIONS7], rel=1e-12)
    got5 = quantity(M5, "monetisation", POSITIONS)
    assert got5.tolist() == pytest.approx([eur5(s) for s in POSITIONS], rel=1e-12)


def conversion(cid: str):  # type: ignore[no-untyped-def]
    return next(c for c in M7.conversions if c.id == cid)


def half_up(x: float, step: float = 0.1) -> float:
    return math.floor(x / step + 0.5) * step


def test_conversions_from_5_to_7_points_as_the_application() -> None:
    # diScale5to7: iScale7FromEuros(eurosFromDIScale5(x)) rounded to 0.1
    for s in POSITIONS:
        e = eur5(s)
        want = (
            half_up(e / 500_000 * 0.5)
            if e <= 500_000
            else half_up((math.log(e) - 13.2) / 1.92 + 0.5)
        )
        got = float(convert(M5, M7, conversion("damage-indicators"), s))
        assert got == pytest.approx(want, abs=1e-12), s
    assert float(convert(M5, M7, conversion("damage-indicators"), 2.0)) == pytest.approx(3.5)
    # pScale5to7: round(10 (12 - ln(rp / 12)) / 2.3) / 10, floored at 0
    for s in POSITIONS[3:]:
        want = max(0.0, half_up((12 - math.log(rp5(s) / 12)) / 2.3))
        assert float(convert(M5, M7, conversion("direct-probability"), s)) == pytest.approx(want)
    # motivation and CP: through the probability, not rounded (M 1.0 = 25.5% over 3 years)
    m = float(convert(M5, M7, conversion("motivation"), 1.0))
    assert interval(B7, m) == pytest.approx(0.255, rel=1e-12)
    assert m == pytest.approx(2.5 + (0.255 - 0.25) / 0.15)
    cp = convert(M5, M7, conversion("conditional-probability"), np.array(POSITIONS))
    assert [interval(B7, x) for x in cp.tolist()] == pytest.approx(
        [interval(CP5, s) for s in POSITIONS]
    )
    # ti5to7 through euros of the total scale: TI5 2 = 4e9 EUR
    t = float(convert(M5, M7, conversion("total-impact"), 2.0))
    assert t == pytest.approx(half_up((math.log(4e9 / 10) - 13.2) / 1.92 + 0.5))


def js_round(x: float) -> float:
    """JavaScript's Math.round: half up, towards +infinity."""
    return math.floor(x + 0.5)


def di_scale5_to7(s: float) -> float:
    """The application's diScale5to7 (src/functions/indicators/impact.ts), written out:
    iScale7FromEuros(eurosFromDIScale5(s), 1, 10)."""
    euros = s / 0.5 * 5_000_000 if s <= 0.5 else 1_600_000 * 10**s
    if euros <= 500_000:
        return js_round(10 * (euros / 500_000) * 0.5) / 10
    return js_round(10 * ((math.log(euros) - 13.2) / 1.92 + 0.5)) / 10


# Sc and Sd positions at the class edges (k - 0.5) and midpoints (k), and just around the
# linear part's end (0.05 is 500,000 EUR, the 7-point scale's 0.5)
SC_POSITIONS = [0.0, 0.01, 0.05, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5]
# worked out by hand from the formulas above: e.g. Sc 1 = 1.6e7 EUR, (ln 1.6e7 - 13.2) / 1.92
# + 0.5 = 2.2646 -> 2.3; Sc 0.5 = 5e6 EUR (the linear part) -> 1.6588 -> 1.7; Sc 5 = 1.6e11 EUR
# -> 7.0615 -> 7.1
SC_WANT = [0.0, 0.1, 0.5, 1.3, 1.7, 2.3, 2.9, 3.5, 4.1, 4.7, 5.3, 5.9, 6.5, 7.1, 7.7]


@pytest.mark.parametrize("cid", ["reputation", "confidence-in-the-state"])
def test_sc_and_sd_convert_through_euros_as_the_application(cid: str) -> None:
    c = conversion(cid)
    assert (c.from_scale, c.to_scale) in {("sc", "sc7"), ("sd", "sd7")}
    got = convert(M5, M7, c, np.array(SC_POSITIONS)).tolist()
    assert got == pytest.approx([di_scale5_to7(s) for s in SC_POSITIONS], abs=1e-12)
    assert got == pytest.approx(SC_WANT, abs=1e-12)
    # the same as the damage indicators' conversion, not the linear x 7/5 (Sc 5 would be 7.0)
    same = convert(M5, M7, conversion("damage-indicators"), np.array(SC_POSITIONS))
    assert got == pytest.approx(same.tolist(), abs=1e-12)
    assert got[SC_POSITIONS.index(5.0)] != pytest.approx(7.0)


def test_a_qualitative_scale_reads_euros_only_in_a_monetised_method() -> None:
    # Sc's positions are euros through the monetisation of each generation
    assert quantity(M5, "sc", [1.0]).tolist() == pytest.approx([1.6e7], rel=1e-13)
    assert quantity(M7, "sd7", [1.0]).tolist() == pytest.approx([eur7(1.0)], rel=1e-13)
    uk = load_method("uk-nsra-2023")
    qualitative = next(s.id for s in uk.scales if s.function is None)
    with pytest.raises(ValueError, match="no function"):
        quantity(uk, qualitative, [1.0])
