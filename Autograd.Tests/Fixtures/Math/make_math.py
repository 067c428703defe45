"""Writes math.json: values and gradients of the math ops and activations from PyTorch (run with Debian's python3-torch).

Each case holds its inputs, the output and the gradient of output.sum() with respect to each float input.
"""
import json
import math

import torch
import torch.nn.functional as F


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


cases = []


def case(name, fn, *inputs, dtype=torch.float64, grad=True):
    ts = [torch.tensor(x, dtype=dtype, requires_grad=grad and dtype.is_floating_point) for x in inputs]
    out = fn(*ts)
    grads = None
    if grad and dtype.is_floating_point:
        gs = torch.autograd.grad(out.sum(), ts, allow_unused=True)
        grads = [[enc(v) for v in g.flatten().tolist()] if g is not None else None for g in gs]
    cases.append({
        "name": name,
        "dtype": str(dtype).replace("torch.", ""),
        "shapes": [list(t.shape) for t in ts],
        "inputs": [[enc(float(v)) for v in t.detach().flatten().tolist()] for t in ts],
        "out_shape": list(out.shape),
        "out": [enc(float(v)) for v in out.detach().flatten().tolist()],
        "grads": grads,
    })


tiny = [-1e-300, -1e-20, -1e-10, -1e-5, 0.0, 1e-300, 1e-20, 1e-10, 1e-5]
for dt in (torch.float64, torch.float32):
    sfx = "" if dt == torch.float64 else "_f32"
    small = tiny if dt == torch.float64 else [-1e-30, -1e-10, -1e-7, 0.0, 1e-30, 1e-10, 1e-7, 1e-4]
    case("log1p" + sfx, torch.log1p, small + [-0.9, -0.5, 0.3, 1.0, 10.0, 1e10], dtype=dt)
    case("expm1" + sfx, torch.expm1, small + [-80.0, -30.0, -1.0, 0.5, 1.0, 30.0, 80.0], dtype=dt)
    case("erf" + sfx, torch.erf, small + [-6.0, -3.0, -2.5, -1.0, -0.5, 0.3, 0.84, 1.0, 1.25, 2.0, 2.49, 2.5, 3.0, 5.0, 6.0], dtype=dt)
    case("erfc" + sfx, torch.erfc, [-6.0, -2.0, -1.0, -0.5, 0.0, 1e-10, 0.3, 0.9, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 9.0] + ([10.0, 20.0, 26.0, 27.0] if dt == torch.float64 else []), dtype=dt)
    big = [-1e4, -100.0, -30.0, -20.5, -1.0, 0.0, 1.0, 15.0, 19.9, 20.0, 20.5, 30.0, 100.0, 1e4]
    case("softplus" + sfx, F.softplus, big, dtype=dt)
    case("softplus_beta2_thr10" + sfx, lambda x: F.softplus(x, beta=2, threshold=10), big + [4.9, 5.1], dtype=dt)
    case("softplus_beta0.5" + sfx, lambda x: F.softplus(x, beta=0.5), big + [39.0, 41.0], dtype=dt)
    case("logsigmoid" + sfx, F.logsigmoid, big, dtype=dt)

xs = [-2.3, -1.1, -0.4, 0.0, 0.2, 0.9, 1.4, 3.0]
case("tan", torch.tan, [-1.2, -0.5, 0.0, 0.3, 1.0, 1.5])
case("sinh", torch.sinh, [-20.0, -1e-10] + xs + [20.0])
case("cosh", torch.cosh, [-20.0] + xs + [20.0])
case("asin", torch.asin, [-0.99, -0.5, -1e-10, 0.0, 0.3, 0.7, 0.99])
case("acos", torch.acos, [-0.99, -0.5, 0.0, 0.3, 0.7, 0.99])
case("atan", torch.atan, [-1e10, -3.0, -0.5, 0.0, 1e-10, 0.7, 4.0, 1e10])
case("atan2", torch.atan2, [1.0, -1.0, 1.0, -1.0, 0.5, 2.0, -3.0], [1.0, 1.0, -1.0, -1.0, 2.0, -0.5, 0.25])
case("hypot", torch.hypot, [3.0, -5.0, 1e200, 1e-200, 0.5], [4.0, 12.0, 1e200, 1e-200, -2.0])
case("reciprocal", torch.reciprocal, [-4.0, -0.5, 0.25, 2.0, 1e10])
case("rsqrt", torch.rsqrt, [0.01, 0.25, 1.0, 2.0, 1e10])

halves = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.7, 3.2, -3.2, 0.0, 7.49, -0.2]
case("floor", torch.floor, halves)
case("ceil", torch.ceil, halves)
case("round", torch.round, halves)
case("trunc", torch.trunc, halves)
case("frac", torch.frac, halves)
case("round_decimals_2", lambda x: torch.round(x, decimals=2), [1.2345, -1.2355, 0.125, 2.675, -0.005, 123.456])
case("round_decimals_neg1", lambda x: torch.round(x, decimals=-1), [15.0, 25.0, -35.0, 44.9, 123.456])
for dt in (torch.float64, torch.float32):
    sfx = "" if dt == torch.float64 else "_f32"
    case("round" + sfx, torch.round, halves, dtype=dt)

a = [5.5, -5.5, 5.5, -5.5, 3.0, -3.0, 0.7, 4.0, -4.0, 1e-3]
b = [2.0, 2.0, -2.0, -2.0, 1.5, 1.5, -0.3, 2.0, 2.0, 0.7]
case("remainder", torch.remainder, a, b)
case("fmod", torch.fmod, a, b)
case("remainder_scalar", lambda x: torch.remainder(x, -1.5), a)
case("fmod_scalar", lambda x: torch.fmod(x, -1.5), a)
case("remainder_int64", torch.remainder, [7, -7, 7, -7, 0, 6], [3, 3, -3, -3, 5, -4], dtype=torch.int64)
case("fmod_int64", torch.fmod, [7, -7, 7, -7, 0, 6], [3, 3, -3, -3, 5, -4], dtype=torch.int64)

s = [-1.0, 0.5, 2.0, 3.0]
e = [2.0, -1.5, 2.5, 10.0]
case("lerp_0.3", lambda x, y: torch.lerp(x, y, 0.3), s, e)
case("lerp_0.7", lambda x, y: torch.lerp(x, y, 0.7), s, e)
case("lerp_tensor", torch.lerp, s, e, [0.1, 0.5, 0.9, -0.6])

acts = [-20.0, -3.0, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 20.0]
case("selu", F.selu, acts)
case("celu", F.celu, acts)
case("celu_0.5", lambda x: F.celu(x, alpha=0.5), acts)
case("gelu", F.gelu, acts)
case("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), acts)
case("mish", F.mish, acts + [-1e4, 1e4])
case("glu_last", lambda x: F.glu(x, -1), [[-1.0, 0.5, 2.0, -0.3], [0.7, 1.2, -2.0, 3.0]])
case("glu_first", lambda x: F.glu(x, 0), [[-1.0, 0.5, 2.0], [0.7, 1.2, -2.0]])

with open("math.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=None)
    f.write("\n")
