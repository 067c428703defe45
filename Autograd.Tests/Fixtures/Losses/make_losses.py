"""Writes losses.json: PyTorch 1.13 values and input gradients of the losses in Autograd.Nn.Losses, in float64,
for every reduction and the option combinations the tests check. Run with Debian's python3-torch:
    /usr/bin/python3 make_losses.py
"""
import json, math, os
import torch
import torch.nn.functional as F

torch.manual_seed(14)
D = torch.float64
REDUCTIONS = ["none", "mean", "sum"]
cases = []


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def tensor_json(t):
    return {"shape": list(t.shape), "dtype": "int64" if t.dtype == torch.int64 else "float64",
            "data": [enc(float(v)) for v in t.detach().reshape(-1).tolist()]}


def add(loss, fn, inputs, options, grad_inputs, reduction, grads=True):
    """inputs: ordered dict name -> tensor; grad_inputs: names whose gradient is recorded."""
    leaves = {k: (v.clone().requires_grad_(k in grad_inputs) if v.dtype == D else v) for k, v in inputs.items()}
    out = fn(*leaves.values(), reduction=reduction, **options)
    case = {"loss": loss, "reduction": reduction, "options": options,
            "inputs": {k: tensor_json(v) for k, v in inputs.items()}, "value": tensor_json(out)}
    if grads and grad_inputs:
        if reduction == "none":
            up = torch.linspace(-1.0, 1.5, out.numel(), dtype=D).reshape(out.shape)
            case["upstream"] = tensor_json(up)
            total = (out * up).sum()
        else:
            total = out
        gs = torch.autograd.grad(total, [leaves[k] for k in grad_inputs], allow_unused=True)
        case["grads"] = {k: tensor_json(g if g is not None else torch.zeros_like(leaves[k])) for k, g in zip(grad_inputs, gs)}
    cases.append(case)


def opts(**kw):
    return {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}


def with_tensors(fn, tensor_opts):
    """Calls fn with the list-valued options turned back into float64 tensors."""
    def call(*args, reduction, **kw):
        kw = {k: (torch.tensor(v, dtype=D) if k in tensor_opts and v is not None else v) for k, v in kw.items()}
        return fn(*args, reduction=reduction, **kw)
    return call


# ---- cross_entropy and nll_loss ---------------------------------------------------------------------------------
C = 4
weight = torch.tensor([0.5, 2.0, 1.0, 1.5], dtype=D)
ce_shapes = {"2d": (5, C), "3d": (2, C, 3), "1d": (C,)}
for name, shape in ce_shapes.items():
    logits = torch.randn(*shape, dtype=D) * 2
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    target = torch.randint(0, C, tshape)
    if len(shape) > 1:
        target.view(-1)[0] = 1
        target.view(-1)[2] = 1
    else:
        target = torch.tensor(1)
    with_default = target.clone()
    if len(shape) > 1:
        with_default.view(-1)[1] = -100
    ignores = [("absent", -100, target), ("class", 1, target)]
    if len(shape) > 1:
        ignores.append(("default", -100, with_default))
    for w in [None, weight]:
        for ig_name, ig, t in ignores:
            for ls in [0.0, 0.25]:
                for r in REDUCTIONS:
                    add("cross_entropy", with_tensors(F.cross_entropy, ["weight"]), {"input": logits, "target": t},
                        opts(weight=w, ignore_index=ig, label_smoothing=ls), ["input"], r)
                    if ls == 0.0:
                        add("nll_loss", with_tensors(F.nll_loss, ["weight"]),
                            {"input": torch.log_softmax(logits, 1 if len(shape) > 1 else 0), "target": t},
                            opts(weight=w, ignore_index=ig), ["input"], r)
        probs = torch.softmax(torch.randn(*shape, dtype=D), 1 if len(shape) > 1 else 0)
        for ls in [0.0, 0.25]:
            for r in REDUCTIONS:
                add("cross_entropy", with_tensors(F.cross_entropy, ["weight"]), {"input": logits, "target": probs},
                    opts(weight=w, label_smoothing=ls), ["input", "target"], r)

# ---- binary cross-entropy ----------------------------------------------------------------------------------------
p = torch.rand(2, 3, dtype=D) * 0.9 + 0.05
y = torch.tensor([[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]], dtype=D)
for w in [None, torch.tensor([0.5, 1.0, 2.0], dtype=D), torch.rand(2, 3, dtype=D) + 0.5]:
    for r in REDUCTIONS:
        add("binary_cross_entropy", with_tensors(F.binary_cross_entropy, ["weight"]), {"input": p, "target": y},
            opts(weight=w), ["input", "target"], r)
# exact 0 and 1: log clamped at -100 (values only: PyTorch's gradient there is not the clamped log's)
edge = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-50, 0.5], dtype=D)
yt = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.5], dtype=D)
for r in REDUCTIONS:
    add("binary_cross_entropy", F.binary_cross_entropy, {"input": edge, "target": yt}, {}, [], r, grads=False)

x = torch.tensor([[-3.0, 0.0, 2.5, 40.0], [-800.0, 800.0, 0.7, -0.2]], dtype=D)
yl = torch.tensor([[0.0, 1.0, 0.3, 0.0], [1.0, 0.0, 1.0, 0.6]], dtype=D)
for w in [None, torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=D)]:
    for pw in [None, torch.tensor([3.0, 0.5, 1.0, 2.0], dtype=D)]:
        for r in REDUCTIONS:
            add("binary_cross_entropy_with_logits", with_tensors(F.binary_cross_entropy_with_logits, ["weight", "pos_weight"]),
                {"input": x, "target": yl}, opts(weight=w, pos_weight=pw), ["input", "target"], r)

# ---- margin losses ----------------------------------------------------------------------------------------------
a1, a2 = torch.randn(4, 5, dtype=D), torch.randn(4, 5, dtype=D)
a2[3] = -a1[3] * 0.5
ce_t = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=D)
for margin in [0.0, 0.3]:
    for r in REDUCTIONS:
        add("cosine_embedding_loss", F.cosine_embedding_loss, {"input1": a1, "input2": a2, "target": ce_t},
            opts(margin=margin), ["input1", "input2"], r)
        add("cosine_embedding_loss", F.cosine_embedding_loss,
            {"input1": a1[1], "input2": a2[1], "target": torch.tensor(-1.0, dtype=D)}, opts(margin=margin), ["input1", "input2"], r)

mm = torch.randn(5, C, dtype=D)
mt = torch.tensor([0, 3, 1, 1, 2])
for pp in [1, 2]:
    for margin in [1.0, 0.5]:
        for w in [None, weight]:
            for r in REDUCTIONS:
                add("multi_margin_loss", with_tensors(F.multi_margin_loss, ["weight"]), {"input": mm, "target": mt},
                    opts(p=pp, margin=margin, weight=w), ["input"], r)
                add("multi_margin_loss", with_tensors(F.multi_margin_loss, ["weight"]), {"input": mm[2], "target": mt[2]},
                    opts(p=pp, margin=margin, weight=w), ["input"], r)

an, po, ne = torch.randn(4, 5, dtype=D), torch.randn(4, 5, dtype=D), torch.randn(4, 5, dtype=D)
ne[0] = an[0] + 0.1
for margin in [1.0, 0.5]:
    for pp in [2.0, 1.0, 3.0]:
        for swap in [False, True]:
            for r in REDUCTIONS:
                add("triplet_margin_loss", F.triplet_margin_loss, {"anchor": an, "positive": po, "negative": ne},
                    opts(margin=margin, p=pp, eps=1e-6, swap=swap), ["anchor", "positive", "negative"], r)
            add("triplet_margin_loss", F.triplet_margin_loss, {"anchor": an[1], "positive": po[1], "negative": ne[1]},
                opts(margin=margin, p=pp, eps=1e-6, swap=swap), ["anchor", "positive", "negative"], "mean")

# ---- broadcasting of the elementwise losses ---------------------------------------------------------------------
bx = torch.randn(2, 3, dtype=D)
shapes = [((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), (2, 1)), ((2, 1), (1, 3))]
def pair(sa, sb, positive=False, signs=False):
    a = torch.randn(*sa, dtype=D)
    b = torch.randn(*sb, dtype=D)
    if positive:
        a, b = a.abs() + 0.1, b.abs() + 0.1
    if signs:
        b = torch.where(b > 0, 1.0, -1.0).to(D)
    return a, b
import warnings
warnings.simplefilter("ignore")
for sa, sb in shapes:
    for r in REDUCTIONS:
        a, b = pair(sa, sb)
        add("mse_loss", F.mse_loss, {"input": a, "target": b}, {}, ["input", "target"], r)
        add("l1_loss", F.l1_loss, {"input": a, "target": b}, {}, ["input", "target"], r)
        add("huber_loss", F.huber_loss, {"input": a, "target": b}, opts(delta=0.7), ["input", "target"], r)
        add("smooth_l1_loss", F.smooth_l1_loss, {"input": a, "target": b}, opts(beta=0.6), ["input", "target"], r)
        a, b = pair(sa, sb, positive=True)
        add("kl_div", F.kl_div, {"input": a.log(), "target": b}, opts(log_target=False), ["input", "target"], r)
        add("kl_div", F.kl_div, {"input": a.log(), "target": b.log()}, opts(log_target=True), ["input", "target"], r)
        add("poisson_nll_loss", F.poisson_nll_loss, {"input": a.log(), "target": b * 3}, opts(log_input=True, full=True), ["input", "target"], r)
        add("poisson_nll_loss", F.poisson_nll_loss, {"input": a, "target": b * 3}, opts(log_input=False, full=False), ["input", "target"], r)
        a, b = pair(sa, sb, signs=True)
        add("hinge_embedding_loss", F.hinge_embedding_loss, {"input": a.abs(), "target": b}, opts(margin=1.0), ["input"], r)
        a, b = pair(sa, sb)
        add("gaussian_nll_loss", lambda i, t, v, reduction: F.gaussian_nll_loss(i, t, v, reduction=reduction),
            {"input": a, "target": b, "var": torch.rand(*sa, dtype=D) + 0.2}, {}, ["input", "target", "var"], r)
# soft_margin_loss broadcasts the target to the input's shape only
for sa, sb in [((2, 3), (3,)), ((2, 3), (2, 1)), ((2, 3), (1, 1))]:
    for r in REDUCTIONS:
        a, b = pair(sa, sb, signs=True)
        add("soft_margin_loss", F.soft_margin_loss, {"input": a, "target": b}, {}, ["input"], r)
# margin_ranking_loss broadcasts tensors of one rank
for s1, s2, s3 in [((2, 3), (1, 3), (2, 1)), ((2, 1), (2, 3), (1, 3))]:
    for r in REDUCTIONS:
        add("margin_ranking_loss", F.margin_ranking_loss,
            {"input1": torch.randn(*s1, dtype=D), "input2": torch.randn(*s2, dtype=D),
             "target": torch.where(torch.randn(*s3, dtype=D) > 0, 1.0, -1.0).to(D)}, opts(margin=0.2), ["input1", "input2"], r)
# gaussian_nll_loss: var per sample ([N] or [N, 1]) with a broadcast target
for vshape in [(2,), (2, 1)]:
    for r in REDUCTIONS:
        add("gaussian_nll_loss", lambda i, t, v, reduction, full: F.gaussian_nll_loss(i, t, v, full=full, reduction=reduction),
            {"input": bx, "target": torch.randn(3, dtype=D), "var": torch.rand(*vshape, dtype=D) + 0.2}, opts(full=True),
            ["input", "target", "var"], r)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "losses.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases")
