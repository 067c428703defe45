"""Writes reductions.json: values and gradients of PyTorch's reductions, scans and statistics on fixed float64 inputs.

Run with Debian's python3-torch (1.13): /usr/bin/python3 make_reductions.py
Each case: the input x, the upstream gradient w (of the first output's shape), the outputs, and x's gradient of
sum(w * y) where the op is differentiable. NaN and infinities are written as "nan", "inf", "-inf".
"""
import json
import math

import torch

torch.manual_seed(0)
inf = math.inf
nan = math.nan


def enc(values):
    out = []
    for v in values:
        v = float(v)
        out.append("nan" if math.isnan(v) else "inf" if v == inf else "-inf" if v == -inf else v)
    return out


cases = []


def case(name, x, fn, grad=True):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(x)
    outs = list(out) if isinstance(out, tuple) else [out]
    y = outs[0]
    w = torch.linspace(-1.0, 2.0, max(y.numel(), 1), dtype=torch.float64)[: y.numel()].reshape(y.shape)
    if y.numel() == 1:
        w = torch.ones_like(y)
    entry = {"name": name, "x_shape": list(x.shape), "x": enc(x.detach().flatten()), "w": enc(w.flatten()),
             "y_shape": list(y.shape), "y": enc(y.detach().flatten())}
    if len(outs) > 1:
        entry["y2_shape"] = list(outs[1].shape)
        entry["y2"] = enc(outs[1].detach().flatten())
    if grad and y.requires_grad:
        (g,) = torch.autograd.grad((y * w).sum(), x, allow_unused=True)
        entry["grad"] = enc((torch.zeros_like(x) if g is None else g).flatten())
    cases.append(entry)


a34 = [[0.5, -1.25, 2.0, 0.75], [1.5, 0.0, -0.5, 3.0], [-2.0, 1.0, 0.25, -0.75]]
a235 = torch.linspace(-2.0, 3.0, 30, dtype=torch.float64).sin().mul(2).reshape(2, 3, 5).tolist()

# var / std / var_mean / std_mean with PyTorch's correction.
case("var_all", a34, lambda x: torch.var(x))
case("var_axis1_c0_keep", a34, lambda x: torch.var(x, dim=1, correction=0, keepdim=True))
case("var_axes_0_2", a235, lambda x: torch.var(x, dim=(0, 2)))
case("var_axis_neg1_c2", a235, lambda x: torch.var(x, dim=-1, correction=2))
case("var_n2_c2", [1.0, 2.0], lambda x: torch.var(x, dim=0, correction=2))
case("var_n1", [3.0], lambda x: torch.var(x, dim=0))
case("var_n2_c3", [1.0, 2.0], lambda x: torch.var(x, dim=0, correction=3))
case("std_all", a34, lambda x: torch.std(x))
case("std_axis0_c0", a34, lambda x: torch.std(x, dim=0, correction=0))
case("var_mean_axis1", a34, lambda x: torch.var_mean(x, dim=1))
case("std_mean_axes_0_1_keep", a235, lambda x: torch.std_mean(x, dim=(0, 1), keepdim=True))

# vector norms.
z34 = [[0.0, -1.25, 2.0, 0.0], [1.5, 0.0, -0.5, 3.0], [0.0, 0.0, 0.0, 0.0]]
for p, tag in [(2, "2"), (1, "1"), (inf, "inf"), (-inf, "neginf"), (0, "0"), (3, "3"), (0.5, "half"), (-1, "neg1"), (1.5, "1_5")]:
    case(f"norm_{tag}_all", a34, lambda x, p=p: torch.linalg.vector_norm(x, ord=p))
    case(f"norm_{tag}_axis1_zeros", z34, lambda x, p=p: torch.linalg.vector_norm(x, ord=p, dim=1))
case("norm_3_axes_0_2_keep", a235, lambda x: torch.linalg.vector_norm(x, ord=3, dim=(0, 2), keepdim=True))
case("norm_inf_ties", [[1.0, -3.0, 3.0], [2.0, 2.0, -1.0]], lambda x: torch.linalg.vector_norm(x, ord=inf, dim=1))
case("norm_fro_all", a34, lambda x: torch.norm(x, p="fro"))
case("norm_fro_axis0", a34, lambda x: torch.norm(x, p="fro", dim=(0,)))
case("norm_2_zero", [0.0, 0.0, 0.0], lambda x: torch.linalg.vector_norm(x))

# prod with zeros.
case("prod_all", a34[0], lambda x: torch.prod(x))
case("prod_all_one_zero", a34, lambda x: torch.prod(x))
case("prod_all_two_zeros", z34[:2], lambda x: torch.prod(x))
p34 = [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0, 1.0], [1.0, 2.0, -3.0, 0.5]]
case("prod_axis1_zeros", p34, lambda x: torch.prod(x, dim=1))
case("prod_axis0_keep", p34, lambda x: torch.prod(x, dim=0, keepdim=True))

# scans.
case("cumsum_axis1", a34, lambda x: torch.cumsum(x, dim=1))
case("cumsum_axis0", a235, lambda x: torch.cumsum(x, dim=0))
c44 = [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0, 1.0], [1.0, 2.0, -3.0, 0.5], [3.0, -1.0, 0.0, 2.0]]
case("cumprod_axis1_zeros", c44, lambda x: torch.cumprod(x, dim=1))
case("cumprod_axis0_zeros", c44, lambda x: torch.cumprod(x, dim=0))
case("cumprod_axis_neg1", a235, lambda x: torch.cumprod(x, dim=-1))
case("logcumsumexp_axis1", [[-1000.0, 0.0, 3.0, -2.0], [1000.0, 999.0, -inf, 1001.0], [0.5, -1.25, 2.0, 0.75]],
     lambda x: torch.logcumsumexp(x, dim=1))
case("logcumsumexp_axis0", a235, lambda x: torch.logcumsumexp(x, dim=0))

# amax / amin / max(dim) / min(dim).
t23 = [[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 0.0, 5.0]]
case("amax_axis1", t23, lambda x: torch.amax(x, dim=1))
case("amin_axes_0_1", t23, lambda x: torch.amin(x, dim=(0, 1)))
case("amax_all", t23, lambda x: torch.amax(x))
case("amin_axis0_keep", t23, lambda x: torch.amin(x, dim=0, keepdim=True))
case("max_dim1", t23, lambda x: tuple(torch.max(x, dim=1)))
case("min_dim0_keep", t23, lambda x: tuple(torch.min(x, dim=0, keepdim=True)))

# median.
case("median_all_ties", [[4.0, 1.0, 1.0], [2.0, 1.0, 7.0]], lambda x: torch.median(x))
case("median_all_even", [4.0, 1.0, 3.0, 2.0], lambda x: torch.median(x))
case("median_all_nan", [4.0, nan, 3.0, nan], lambda x: torch.median(x))
case("median_dim1", [[4.0, 1.0, 3.0, 2.0], [0.5, 9.0, -1.0, 2.0], [5.0, nan, 1.0, 2.0]], lambda x: tuple(torch.median(x, dim=1)))
case("median_dim0_keep", a235[0], lambda x: tuple(torch.median(x, dim=0, keepdim=True)))
case("median_dim1_tie", [[4.0, 1.0, 1.0, 2.0]], lambda x: tuple(torch.median(x, dim=1)))

# any / all / count_nonzero (values only: 1 or 0).
b = [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [nan, 2.0, -1.0]]
case("any_all", b, lambda x: torch.any(x).double(), grad=False)
case("any_axis1", b, lambda x: torch.any(x, dim=1).double(), grad=False)
case("all_axis1", b, lambda x: torch.all(x, dim=1).double(), grad=False)
case("all_axis0_keep", b, lambda x: torch.all(x, dim=0, keepdim=True).double(), grad=False)
case("count_nonzero_all", b, lambda x: torch.count_nonzero(x).double(), grad=False)
case("count_nonzero_axis0", b, lambda x: torch.count_nonzero(x, dim=0).double(), grad=False)
case("count_nonzero_axes_0_1", b, lambda x: torch.count_nonzero(x, dim=(0, 1)).double(), grad=False)

with open("reductions.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0)
print(len(cases), "cases")
