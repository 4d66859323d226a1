"""The measurement model and its input quantities (JJF 1059.1-2012 §4.1, GUM 4.1), and the mathematical functions
a model is written with, so that one model runs on GTC uncertain numbers (GUM) and on NumPy arrays (Monte Carlo).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import GTC
import numpy as np
from GTC.lib import UncertainReal

from .distributions import _INPUT_TYPES, Input, UncertaintyError, _finite, gettext_noop


def _dispatch(gtc_fn: Callable[[Any], Any], np_fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def fn(x: Any) -> Any:
        return gtc_fn(x) if isinstance(x, UncertainReal) else np_fn(x)

    fn.__name__ = np_fn.__name__
    fn.__doc__ = f"``{np_fn.__name__}`` of a GTC uncertain number (GUM), a NumPy array (Monte Carlo) or a float."
    return fn


sin = _dispatch(GTC.sin, np.sin)
cos = _dispatch(GTC.cos, np.cos)
sqrt = _dispatch(GTC.sqrt, np.sqrt)
exp = _dispatch(GTC.exp, np.exp)
log = _dispatch(GTC.log, np.log)


# --- the budget ---------------------------------------------------------------------------------------------------


class Budget:
    """The measurement model and what is known about its input quantities (JJF 1059.1-2012 §4.1, GUM 4.1).

    ``model`` is called with one keyword argument per input name. ``correlations`` maps a pair of input names to
    their correlation coefficient r (GUM 5.2.2); the matrix of coefficients must be positive semi-definite.

    >>> from jiliang.metrology.uncertainty import Normal
    >>> b = Budget(lambda m, v: m / v, {"m": Normal(10.0, 0.01), "v": Normal(2.0, 0.002)}, {("m", "v"): 0.5})
    >>> b.correlations
    {('m', 'v'): 0.5}
    """

    def __init__(
        self,
        model: Callable[..., Any],
        inputs: Mapping[str, Input],
        correlations: Mapping[tuple[str, str], float] | None = None,
    ) -> None:
        if not callable(model):
            raise UncertaintyError(gettext_noop("测量模型必须是可调用的函数"))
        if not isinstance(inputs, Mapping) or not inputs:
            raise UncertaintyError(gettext_noop("不确定度预算至少需要一个输入量"))
        for name, quantity in inputs.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise UncertaintyError(gettext_noop("输入量名称“%(name)s”不是合法的标识符"), name=name)
            if not isinstance(quantity, _INPUT_TYPES):
                raise UncertaintyError(
                    gettext_noop("输入量“%(name)s”不是可识别的输入量类型：%(got)r"), name=name, got=quantity
                )
        self.model = model
        self.inputs: dict[str, Input] = dict(inputs)
        self._check_signature()
        self.correlations = self._normalise_correlations(correlations or {})
        self._check_positive_semidefinite()

    def _check_signature(self) -> None:
        try:
            signature = inspect.signature(self.model)
        except (TypeError, ValueError):  # a builtin without a signature: the first call will tell
            return
        try:
            signature.bind(**dict.fromkeys(self.inputs, 0.0))
        except TypeError as exc:
            raise UncertaintyError(
                gettext_noop("测量模型的参数与输入量名称（%(names)s）不一致：%(reason)s"),
                names="、".join(self.inputs),
                reason=str(exc),
            ) from None

    def _normalise_correlations(self, correlations: Mapping[tuple[str, str], float]) -> dict[tuple[str, str], float]:
        if not isinstance(correlations, Mapping):
            raise UncertaintyError(gettext_noop("相关系数必须以“(输入量, 输入量) → r”的形式给出"))
        order = {name: i for i, name in enumerate(self.inputs)}
        result: dict[tuple[str, str], float] = {}
        for pair, r in correlations.items():
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise UncertaintyError(gettext_noop("相关系数的键必须是两个输入量名称，实为 %(pair)r"), pair=pair)
            for name in pair:
                if name not in order:
                    raise UncertaintyError(gettext_noop("相关系数引用了未知的输入量“%(name)s”"), name=name)
            first, second = sorted(pair, key=order.__getitem__)
            if first == second:
                raise UncertaintyError(gettext_noop("输入量“%(name)s”不能与自身设定相关系数"), name=first)
            coefficient = _finite(r, gettext_noop("相关系数"))
            if not -1 <= coefficient <= 1:
                raise UncertaintyError(
                    gettext_noop("“%(a)s”与“%(b)s”的相关系数必须在 −1 与 1 之间，实为 %(r)s"),
                    a=first,
                    b=second,
                    r=coefficient,
                )
            key = (first, second)
            if key in result and result[key] != coefficient:
                raise UncertaintyError(gettext_noop("“%(a)s”与“%(b)s”的相关系数给出了两个不同的值"), a=first, b=second)
            result[key] = coefficient
        return {key: r for key, r in result.items() if r != 0}

    def _check_positive_semidefinite(self) -> None:
        names = self.correlated_names()
        if len(names) < 2:
            return
        matrix = self.correlation_matrix(names)
        if np.linalg.eigvalsh(matrix).min() < -1e-10:
            raise UncertaintyError(
                gettext_noop("相关系数矩阵不是半正定的（%(names)s），这样的相关性不可能存在"), names="、".join(names)
            )

    def correlated_names(self) -> list[str]:
        """The inputs that take part in at least one non-zero correlation, in budget order."""
        named = {name for pair in self.correlations for name in pair}
        return [name for name in self.inputs if name in named]

    def correlation_matrix(self, names: list[str]) -> np.ndarray:
        """The correlation coefficients among ``names`` as a symmetric matrix with ones on the diagonal."""
        index = {name: i for i, name in enumerate(names)}
        matrix = np.eye(len(names))
        for (a, b), r in self.correlations.items():
            if a in index and b in index:
                matrix[index[a], index[b]] = matrix[index[b], index[a]] = r
        return matrix

    def correlated_groups(self) -> list[list[str]]:
        """Sets of inputs linked by non-zero correlations (connected components), each in budget order."""
        parent = {name: name for name in self.correlated_names()}

        def root(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for a, b in self.correlations:
            parent[root(a)] = root(b)
        groups: dict[str, list[str]] = {}
        for name in parent:
            groups.setdefault(root(name), []).append(name)
        return list(groups.values())
