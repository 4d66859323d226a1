"""Uncertainty evaluation speed (jiliang/metrology/uncertainty/).

- Monte Carlo (JCGM 101): 10⁶ trials of a five-input nonlinear model, P = V²·cos φ / (R₀·(1 + α·(T − 20))),
  goal ≤ 1 s. Baseline, in the same run: a plain NumPy evaluation of the same model, with the same summary
  (mean, standard deviation, the two order statistics of the 95 % interval), on the same samples drawn beforehand
  by the module's own samplers — so the difference is what drawing and the module's checks cost.
- GUM (through GTC): evaluations per second of the same budget. Baseline: the same model on GTC uncertain numbers
  created by hand, without the module (budget checks, coverage factor, contributions).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import p50_p95, report, timed

from jiliang.metrology import uncertainty as unc
from jiliang.metrology.uncertainty import mcm as monte_carlo

DATABASES = ()
TRIALS = 10**6


def power(voltage, phase, resistance, alpha, temperature):
    return voltage**2 * unc.cos(phase) / (resistance * (1 + alpha * (temperature - 20)))


def budget() -> unc.Budget:
    return unc.Budget(
        power,
        {
            "voltage": unc.Normal(10.0, 0.01, dof=20),
            "phase": unc.Arcsine(0.1, 0.02),
            "resistance": unc.Rectangular(100.0, 0.05),
            "alpha": unc.Triangular(3.9e-3, 1e-4),
            "temperature": unc.StudentT(23.0, 0.5, 8),
        },
    )


def plain_numpy(samples: dict[str, np.ndarray]) -> tuple[float, float, float, float]:
    v, phi, r0 = samples["voltage"], samples["phase"], samples["resistance"]
    a, t = samples["alpha"], samples["temperature"]
    y = v**2 * np.cos(phi) / (r0 * (1 + a * (t - 20)))
    m = y.size
    q = math.floor(0.95 * m + 0.5)
    r = (m - q + 1) // 2
    low, high = np.partition(y, [r - 1, r + q - 1])[[r - 1, r + q - 1]]
    return float(y.mean()), float(y.std(ddof=1)), float(low), float(high)


def plain_gtc() -> float:
    import GTC

    v = GTC.ureal(10.0, 0.01, 20)
    phi = GTC.ureal(0.1, 0.02 / math.sqrt(2))
    r0 = GTC.ureal(100.0, 0.05 / math.sqrt(3))
    a = GTC.ureal(3.9e-3, 1e-4 / math.sqrt(6))
    t = GTC.ureal(23.0, 0.5, 8)
    y = v**2 * GTC.cos(phi) / (r0 * (1 + a * (t - 20)))
    return y.u * GTC.reporting.k_factor(math.floor(y.df), 95)


def main(argv: list[str]) -> int:
    b = budget()
    repeat = 3 if "--quick" in argv else 7

    mcm = unc.evaluate_mcm(b, trials=TRIALS, seed=1)
    samples = monte_carlo._draw(b, np.random.default_rng(1), TRIALS)
    check = plain_numpy(samples)
    # The same draws give the same numbers: the baseline evaluates what evaluate_mcm evaluates.
    assert math.isclose(check[1], mcm.u, rel_tol=1e-9), (check, mcm)

    mcm_p50, mcm_p95 = p50_p95(timed(lambda: unc.evaluate_mcm(b, trials=TRIALS, seed=1), repeat=repeat, warmup=1))
    base_p50, _ = p50_p95(timed(lambda: plain_numpy(samples), repeat=repeat, warmup=1))
    draw_p50, _ = p50_p95(
        timed(lambda: monte_carlo._draw(b, np.random.default_rng(1), TRIALS), repeat=repeat, warmup=1)
    )
    report(
        "monte carlo, 10^6 trials, 5-input nonlinear model (p50)",
        mcm_p50,
        "s",
        goal="<= 1 s",
        baseline=f"plain NumPy on pre-drawn samples {base_p50:.3f} s",
    )
    report("monte carlo, 10^6 trials (p95)", mcm_p95, "s", goal="<= 1 s")
    report("monte carlo, drawing the 5 x 10^6 input samples alone (p50)", draw_p50, "s")

    gum_p50, _ = p50_p95(timed(lambda: unc.evaluate_gum(b), repeat=200, warmup=20))
    gtc_p50, _ = p50_p95(timed(plain_gtc, repeat=200, warmup=20))
    report(
        "gum evaluations per second (budget checks, GTC, k, contributions)",
        1 / gum_p50,
        "/s",
        baseline=f"bare GTC on the same model {1 / gtc_p50:,.0f}/s",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
