"""Monte Carlo propagation of distributions (JJF 1059.2-2012 = JCGM 101) through NumPy, fixed or adaptive, and
the validation of a GUM result by Monte Carlo (JCGM 101 §8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from .budget import Budget
from .distributions import _KIND, Normal, UncertaintyError, _constant, _level, _non_negative, gettext_noop
from .gum import GumResult, _round_significant

# Monte Carlo draws and evaluates at most this many trials at a time, so that 10^7 trials of a ten-input model do
# not hold ten 80 MB arrays at once; only the model values are kept for the coverage interval.
CHUNK = 10**6
# A request for more trials than this is refused rather than allowed to exhaust the server's memory (the model
# values alone take 8 bytes a trial).
MAX_TRIALS = 2 * 10**7


# --- Monte Carlo (JCGM 101) ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class McmResult:
    """The Monte Carlo evaluation of a budget (JCGM 101 §7.6, §7.7): ``value`` the mean of the model values,
    ``u`` their standard deviation, [``low``, ``high``] the coverage interval of probability ``level`` of kind
    ``interval`` ("symmetric" or "shortest"), from ``trials`` model values. For the adaptive procedure
    (JCGM 101 §7.9) ``runs`` is h, and ``converged`` says whether it stabilised before the cap on trials;
    ``converged`` is None for a fixed number of trials.
    """

    value: float
    u: float
    low: float
    high: float
    trials: int
    level: float
    interval: str
    runs: int = 1
    converged: bool | None = None


INTERVALS = ("symmetric", "shortest")


def _min_trials(level: float) -> int:
    # JCGM 101 §7.9.4 b): J = ⌈100/(1 − p)⌉ is the smallest number of trials the standard ever uses for one run;
    # with fewer, fewer than 100 model values fall outside the coverage interval and its endpoints mean little.
    return math.ceil(100 / (1 - level) - 1e-9)


def _coverage_interval(values: np.ndarray, level: float, kind: str) -> tuple[float, float]:
    """The coverage interval from M model values (JCGM 101 §7.7): q = pM (⌊pM + ½⌋ if not an integer); the
    probabilistically symmetric interval is [y₍r₎, y₍r+q₎] with r = (M − q)/2 (⌊(M − q + 1)/2⌋ if not an integer);
    the shortest is the [y₍r*₎, y₍r*+q₎] of least length (§7.7.2)."""
    m = values.size
    q = math.floor(level * m + 0.5)
    if kind == "symmetric":
        r = (m - q + 1) // 2  # = (M − q)/2 when M − q is even, ⌊(M − q + 1)/2⌋ when it is odd
        low, high = np.partition(values, [r - 1, r + q - 1])[[r - 1, r + q - 1]]
        return float(low), float(high)
    ordered = np.sort(values)
    widths = ordered[q:] - ordered[: m - q]
    start = int(np.argmin(widths))
    return float(ordered[start]), float(ordered[start + q])


def _check_mcm_correlations(budget: Budget) -> None:
    for name in budget.correlated_names():
        quantity = budget.inputs[name]
        if not isinstance(quantity, Normal):
            raise UncertaintyError(
                gettext_noop("蒙特卡洛法只支持正态分布输入量之间的相关（多元正态分布）：输入量“%(name)s”是%(kind)s"),
                name=name,
                kind=_KIND[type(quantity)],
            )


def _draw(budget: Budget, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    """Draws of every input; correlated normal inputs jointly from their multivariate normal (JCGM 101 §6.4.8)."""
    samples: dict[str, np.ndarray] = {}
    for group in budget.correlated_groups():
        normals = [budget.inputs[n] for n in group]
        sd = np.array([q.u for q in normals])
        cov = budget.correlation_matrix(group) * np.outer(sd, sd)
        # "eigh" also factors the singular matrices of r = ±1, which Cholesky refuses.
        joint = rng.multivariate_normal(np.array([q.value for q in normals]), cov, size, method="eigh")
        samples.update({n: joint[:, i] for i, n in enumerate(group)})
    for name, quantity in budget.inputs.items():
        if name not in samples:
            samples[name] = quantity._sample(rng, size) if quantity.u > 0 else _constant(quantity.value, size)
    return samples


def _model_values(budget: Budget, rng: np.random.Generator, trials: int) -> np.ndarray:
    out = np.empty(trials)
    for start in range(0, trials, CHUNK):
        size = min(CHUNK, trials - start)
        drawn = _draw(budget, rng, size)
        with np.errstate(all="ignore"):  # non-finite values are counted and refused just below
            y = np.asarray(budget.model(**{n: drawn[n] for n in budget.inputs}), dtype=float)
        if y.ndim == 0:
            y = np.broadcast_to(y, (size,))
        if y.shape != (size,):
            raise UncertaintyError(
                gettext_noop("测量模型必须对数组输入逐元素计算，得到的形状为 %(shape)s"), shape=y.shape
            )
        out[start : start + size] = y
    bad = int(np.count_nonzero(~np.isfinite(out)))
    if bad:
        raise UncertaintyError(
            gettext_noop("测量模型在 %(bad)s 次试验中得到非有限值（如除以零或对负数开方），请检查模型与输入量"), bad=bad
        )
    return out


def _summary(values: np.ndarray, level: float, kind: str) -> tuple[float, float, float, float]:
    low, high = _coverage_interval(values, level, kind)
    return float(values.mean()), float(values.std(ddof=1)), low, high


def adaptive_run_size(level: float = 0.95) -> int:
    """The number of trials of one run of the adaptive procedure, M = max(⌈100/(1 − p)⌉, 10⁴) (JCGM 101 §7.9.4 b).

    >>> adaptive_run_size(0.95), adaptive_run_size(0.999)
    (10000, 100000)
    """
    return max(_min_trials(_level(level)), 10**4)


def evaluate_mcm(
    budget: Budget,
    *,
    trials: int = 10**6,
    adaptive: bool = False,
    seed: int | None = None,
    level: float = 0.95,
    interval: str = "symmetric",
    n_dig: int = 2,
) -> McmResult:
    """Propagate the input distributions by Monte Carlo (JCGM 101 §7, JJF 1059.2-2012 §7), vectorised in NumPy.

    - ``trials``: M (JCGM 101 §7.2: 10⁶ usually suffices for 95 %; it recommends M ≥ 10⁴/(1 − p)). Fewer than
      ⌈100/(1 − p)⌉ are refused. With ``adaptive=True``, ``trials`` is instead the most trials the procedure may
      spend: JCGM 101 sets no limit, a cap keeps one request bounded, and ``converged`` tells whether it sufficed.
    - ``adaptive=True``: JCGM 101 §7.9.4: runs of M = max(⌈100/(1 − p)⌉, 10⁴) trials until twice the standard
      deviation of the mean over the runs of each of y, u(y), y_low and y_high is at most the numerical tolerance
      δ of u(y) for ``n_dig`` significant digits (§7.9.2); the result comes from all h·M values.
    - ``interval``: "symmetric" (probabilistically symmetric, §7.7.1) or "shortest" (§7.7.2).
    - ``seed``: a fixed seed repeats a run on one platform; compare across platforms only within δ.
    - Correlations: supported between ``Normal`` inputs, which are drawn jointly from their multivariate normal
      distribution (§6.4.8); a correlation that involves any other kind of input raises ``UncertaintyError``.

    JCGM 101 §9.2.3 with 10⁴ trials: the published 10⁶-trial interval is [−3.88, 3.88]; 10⁴ trials put each
    endpoint within about ±0.05 of it.

    >>> from jiliang.metrology.uncertainty import Rectangular
    >>> b = Budget(lambda a, b, c, d: a + b + c + d, {n: Rectangular(0.0, math.sqrt(3)) for n in "abcd"})
    >>> r = evaluate_mcm(b, trials=10**4, seed=3)
    >>> round(r.u, 1), r.trials, abs(r.low + 3.88) < 0.1, abs(r.high - 3.88) < 0.1
    (2.0, 10000, True, True)
    """
    if not isinstance(budget, Budget):
        raise UncertaintyError(gettext_noop("需要一个不确定度预算（Budget），实为 %(got)r"), got=budget)
    level = _level(level)
    if interval not in INTERVALS:
        raise UncertaintyError(
            gettext_noop("未知的包含区间类型“%(kind)s”：应为 symmetric（概率对称）或 shortest（最短）"), kind=interval
        )
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer):
        raise UncertaintyError(gettext_noop("试验次数必须是整数，实为 %(got)r"), got=trials)
    trials = int(trials)
    if trials > MAX_TRIALS:
        raise UncertaintyError(gettext_noop("试验次数不能超过 %(max)s，实为 %(got)s"), max=MAX_TRIALS, got=trials)
    if isinstance(n_dig, bool) or not isinstance(n_dig, int) or n_dig < 1:
        raise UncertaintyError(gettext_noop("有效位数 n_dig 必须是正整数，实为 %(got)r"), got=n_dig)
    _check_mcm_correlations(budget)
    rng = np.random.default_rng(seed)
    if not adaptive:
        if trials < _min_trials(level):
            raise UncertaintyError(
                gettext_noop("包含概率为 %(level)s 时试验次数至少为 %(min)s，实为 %(got)s"),
                level=level,
                min=_min_trials(level),
                got=trials,
            )
        value, u, low, high = _summary(_model_values(budget, rng, trials), level, interval)
        return McmResult(value=value, u=u, low=low, high=high, trials=trials, level=level, interval=interval)
    return _adaptive(budget, rng, cap=trials, level=level, interval=interval, n_dig=n_dig)


def _adaptive(
    budget: Budget, rng: np.random.Generator, *, cap: int, level: float, interval: str, n_dig: int
) -> McmResult:
    """JCGM 101 §7.9.4 steps b)-k)."""
    run = adaptive_run_size(level)
    if cap < 2 * run:
        raise UncertaintyError(
            gettext_noop("自适应蒙特卡洛法至少需要两轮、每轮 %(run)s 次试验，试验次数上限 %(got)s 不足"),
            run=run,
            got=cap,
        )
    chunks: list[np.ndarray] = []
    stats: list[tuple[float, float, float, float]] = []  # y, u(y), y_low, y_high of each run
    converged = False
    while len(chunks) * run + run <= cap:
        values = _model_values(budget, rng, run)
        chunks.append(values)
        stats.append(_summary(values, level, interval))
        h = len(chunks)
        if h < 2:
            continue
        table = np.array(stats)
        spread = table.std(axis=0, ddof=1) / math.sqrt(h)  # standard deviation of the mean over the runs, §7.9.4 g)
        means = table[:, 0]
        # u(y) from all h·M values (§7.9.4 h), pooled from the runs' means and variances without concatenating.
        pooled = ((run - 1) * np.sum(table[:, 1] ** 2) + run * np.sum((means - means.mean()) ** 2)) / (h * run - 1)
        delta = numerical_tolerance(math.sqrt(pooled), n_dig)
        if np.all(2 * spread <= delta):
            converged = True
            break
    everything = np.concatenate(chunks)
    value, u, low, high = _summary(everything, level, interval)
    return McmResult(
        value=value,
        u=u,
        low=low,
        high=high,
        trials=everything.size,
        level=level,
        interval=interval,
        runs=len(chunks),
        converged=converged,
    )


# --- validation of the GUM by Monte Carlo (JCGM 101 §8) -----------------------------------------------------------


def numerical_tolerance(u: float, n_dig: int = 2) -> float:
    """The numerical tolerance δ of a standard uncertainty (JCGM 101 §7.9.2): write u, rounded to ``n_dig``
    significant digits, as c × 10^ℓ with c an n_dig-digit integer; δ = ½ × 10^ℓ.

    >>> numerical_tolerance(2.0), numerical_tolerance(2.0, 3)  # 2.0 = 20 × 10⁻¹; 2.00 = 200 × 10⁻²
    (0.05, 0.005)
    >>> numerical_tolerance(0.0287), numerical_tolerance(0.0287, 1)  # 29 × 10⁻³; 3 × 10⁻²
    (0.0005, 0.005)
    """
    if isinstance(n_dig, bool) or not isinstance(n_dig, int) or n_dig < 1:
        raise UncertaintyError(gettext_noop("有效位数 n_dig 必须是正整数，实为 %(got)r"), got=n_dig)
    u = _non_negative(u, gettext_noop("标准不确定度"))
    if u == 0:
        return 0.0
    rounded = _round_significant(Decimal(repr(u)), n_dig, ROUND_HALF_EVEN)
    return float(Decimal("0.5").scaleb(rounded.adjusted() - n_dig + 1))


@dataclass(frozen=True, slots=True)
class Validation:
    """The comparison of a GUM coverage interval with a Monte Carlo one (JCGM 101 §8.1): ``d_low`` and ``d_high``
    the distances between the endpoints, ``delta`` the numerical tolerance, ``validated`` when both are ≤ δ."""

    d_low: float
    d_high: float
    delta: float
    validated: bool
    n_dig: int


def validate(gum: GumResult, mcm: McmResult, *, n_dig: int = 2) -> Validation:
    """Validate the GUM result by Monte Carlo (JCGM 101 §8.1, §8.2; JJF 1059.2-2012 §8): with y ± U_p from the GUM
    and [y_low, y_high] from Monte Carlo at the same coverage probability, d_low = |y − U_p − y_low| and
    d_high = |y + U_p − y_high|; the GUM is validated when both are at most δ, the numerical tolerance of the GUM's
    u(y) for ``n_dig`` significant digits (§7.9.2, §8.1.3). Report both results with the verdict.

    JCGM 101 §9.2.3 (GUM [−3.92, 3.92], Monte Carlo [−3.88, 3.88], u = 2.0): d = 0.04, so the GUM passes at
    n_dig = 2 (δ = 0.05) but not at n_dig = 3 (δ = 0.005).

    >>> gum = GumResult(value=0.0, u=2.0, dof=math.inf, k=1.96, U=3.92, level=0.95)
    >>> mcm = McmResult(value=0.0, u=2.0, low=-3.88, high=3.88, trials=10**6, level=0.95, interval="symmetric")
    >>> v = validate(gum, mcm)
    >>> round(v.d_low, 3), v.delta, v.validated
    (0.04, 0.05, True)
    >>> validate(gum, mcm, n_dig=3).validated
    False
    """
    if gum.level is None:
        raise UncertaintyError(
            gettext_noop("以给定包含因子 k 得到的 GUM 结果没有包含概率，不能与蒙特卡洛法的包含区间比较")
        )
    if not math.isclose(gum.level, mcm.level, rel_tol=0, abs_tol=1e-12):
        raise UncertaintyError(
            gettext_noop("GUM 结果（包含概率 %(gum)s）与蒙特卡洛结果（包含概率 %(mcm)s）的包含概率不同"),
            gum=gum.level,
            mcm=mcm.level,
        )
    delta = numerical_tolerance(gum.u, n_dig)
    d_low = abs(gum.value - gum.U - mcm.low)
    d_high = abs(gum.value + gum.U - mcm.high)
    return Validation(
        d_low=d_low, d_high=d_high, delta=delta, validated=d_low <= delta and d_high <= delta, n_dig=n_dig
    )
