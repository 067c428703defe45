"""Writes indexing.json: PyTorch's values and gradients for the indexing and movement ops.

Run with Debian's python3-torch: /usr/bin/python3 make_indexing.py (from this folder).
Each case lists its inputs (float64 unless an index or mask, int64), the outputs and, for every input that
requires grad, the gradient of L = sum_k sum(out_k * w_k) over the floating-point outputs, where
w_k = cos(0.37 * arange(numel) + k) in the output's shape.
"""
import json
import math

import torch

torch.manual_seed(1234)


def x(*shape):
    return torch.randn(shape, dtype=torch.float64)


def i64(values):
    return torch.tensor(values, dtype=torch.int64)


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def tensor_json(t):
    return {
        "shape": list(t.shape),
        "dtype": "int64" if t.dtype in (torch.int64, torch.bool) else "float64",
        "data": [enc(float(v)) if t.dtype == torch.float64 else int(v) for v in t.reshape(-1).tolist()],
    }


cases = []


def case(name, fn, *inputs, grad=None):
    """inputs: tensors; grad: which inputs are differentiated (default: every float64 input)."""
    ins = [t.clone() for t in inputs]
    if grad is None:
        grad = [t.dtype == torch.float64 for t in ins]
    for t, g in zip(ins, grad):
        if g:
            t.requires_grad_(True)
    out = fn(*ins)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    loss = None
    for k, o in enumerate(outs):
        if o.dtype != torch.float64:
            continue
        w = torch.cos(0.37 * torch.arange(o.numel(), dtype=torch.float64) + k).reshape(o.shape)
        term = (o * w).sum()
        loss = term if loss is None else loss + term
    grads = [None] * len(ins)
    if loss is not None and any(grad):
        diff = [t for t, g in zip(ins, grad) if g]
        gs = torch.autograd.grad(loss, diff, allow_unused=True)
        it = iter(gs)
        for j, g in enumerate(grad):
            if g:
                gj = next(it)
                grads[j] = tensor_json(gj if gj is not None else torch.zeros_like(ins[j]))["data"]
    cases.append({
        "name": name,
        "inputs": [dict(tensor_json(t.detach()), grad=bool(g)) for t, g in zip(ins, grad)],
        "outputs": [tensor_json(o.detach()) for o in outs],
        "grads": grads,
    })


case("split_2_dim1", lambda a: a.split(2, 1), x(3, 5))
case("split_sizes_dim0", lambda a: a.split([1, 0, 4], 0), x(5, 3))
case("split_neg_dim", lambda a: a.split(3, -1), x(2, 7))
case("chunk_3", lambda a: a.chunk(3), x(7, 2))
case("chunk_4_of_6", lambda a: a.chunk(4), x(6))
case("unbind_1", lambda a: a.unbind(1), x(2, 3, 4))
case("narrow_neg_start", lambda a: a.narrow(1, -3, 2), x(4, 5))
case("unflatten_infer", lambda a: a.unflatten(1, (3, -1)), x(2, 6))
case("movedim_pairs", lambda a: a.movedim((0, 1), (2, 0)), x(2, 3, 4))
case("movedim_one", lambda a: a.movedim(-1, 0), x(2, 3, 4))
case("repeat_lead", lambda a: a.repeat(2, 1, 3), x(2, 3))
case("repeat_0d", lambda a: a.repeat(3, 2), x())
case("tile_short", lambda a: a.tile((2,)), x(2, 3))
case("repeat_interleave_dim1", lambda a: a.repeat_interleave(2, dim=1), x(2, 3))
case("repeat_interleave_flat", lambda a: a.repeat_interleave(3), x(2, 3))
case("repeat_interleave_tensor", lambda a, r: a.repeat_interleave(r, dim=0), x(3, 2), i64([1, 0, 3]))
case("flip_0_2", lambda a: a.flip((0, 2)), x(2, 3, 5))
case("flip_0d", lambda a: a.flip((0,)), x())
case("roll_dims", lambda a: a.roll((1, -5), (0, 1)), x(3, 4))
case("roll_flat", lambda a: a.roll(5), x(3, 4))
case("masked_fill_scalar", lambda a, m: a.masked_fill(m.bool(), -1.5), x(3, 4), i64([1, 0, 0, 1]))
case("masked_fill_tensor", lambda a, m, v: a.masked_fill(m.bool(), v), x(3, 4), i64([[1], [0], [1]]), x())
case("masked_fill_0d", lambda a, m: a.masked_fill(m.bool(), 2.0), x(), i64(1))
case("masked_select_broadcast", lambda a, m: a.masked_select(m.bool()), x(3, 4), i64([[[1, 0, 1, 1]], [[0, 1, 0, 0]]]))
case("scatter_src_dim1", lambda a, i, s: a.scatter(1, i, s), x(3, 5), i64([[0, 4, 2], [1, 0, 3]]), x(2, 3))
case("scatter_value_dim0", lambda a, i: a.scatter(0, i, 2.5), x(3, 4), i64([[2, 0, 1, 2], [0, 1, 2, 1]]))
case("scatter_add_dups", lambda a, i, s: a.scatter_add(1, i, s), x(3, 5), i64([[0, 4, 0, 4, 1], [2, 2, 2, 3, 0]]), x(2, 5))
# PyTorch 1.13's backward refuses a src larger than index (src's gradient is left out here; Autograd gives it 0 outside).
case("scatter_add_larger_src", lambda a, i, s: a.scatter_add(0, i, s), x(3, 2), i64([[2, 0], [2, 2]]), x(3, 3), grad=[True, False, False])
case("scatter_larger_src", lambda a, i, s: a.scatter(0, i, s), x(3, 2), i64([[2, 0]]), x(2, 3), grad=[True, False, False])
case("index_add_alpha", lambda a, i, s: a.index_add(0, i, s, alpha=0.5), x(4, 3), i64([0, 2, 0, 3, 2]), x(5, 3))
case("index_copy_dim1", lambda a, i, s: a.index_copy(1, i, s), x(4, 3), i64([2, 0]), x(4, 2))
case("sort_desc_dim1", lambda a: a.sort(1, descending=True), x(3, 5))
case("sort_stable_ties", lambda a: a.sort(stable=True, dim=0), torch.tensor([[2., 1.], [1., 1.], [2., 0.], [0., 1.], [1., 0.]], dtype=torch.float64))
case("sort_stable_ties_desc", lambda a: a.sort(stable=True, dim=-1, descending=True), torch.tensor([[2., 1., 2., 0., 1., 2.]], dtype=torch.float64))
case("sort_nan", lambda a: a.sort(), torch.tensor([1.0, float("nan"), -2.0, 3.0], dtype=torch.float64), grad=[False])
case("sort_nan_desc", lambda a: a.sort(descending=True), torch.tensor([1.0, float("nan"), -2.0, 3.0], dtype=torch.float64), grad=[False])
case("topk_nan", lambda a: a.topk(2), torch.tensor([1.0, float("nan"), -2.0, 3.0], dtype=torch.float64), grad=[False])
case("sort_0d", lambda a: a.sort(), x())
case("argsort_dim0", lambda a: a.argsort(0), x(4, 3))
case("topk_3_dim1", lambda a: a.topk(3, dim=1), x(3, 6))
case("topk_smallest_dim0", lambda a: a.topk(2, dim=0, largest=False), x(4, 3))
case("topk_0d", lambda a: a.topk(1), x())
case("tril_neg1", lambda a: a.tril(-1), x(2, 3, 4))
case("triu_1", lambda a: a.triu(1), x(2, 3, 4))
case("tril_5", lambda a: a.tril(5), x(3, 4))
case("triu_neg2", lambda a: a.triu(-2), x(5, 3))
case("diag_vec_1", lambda a: a.diag(1), x(3))
case("diag_vec_neg2", lambda a: a.diag(-2), x(3))
case("diag_mat_1", lambda a: a.diag(1), x(3, 4))
case("diag_mat_neg1", lambda a: a.diag(-1), x(4, 3))
case("diagonal_1_0_2", lambda a: a.diagonal(1, 0, 2), x(2, 3, 4))
case("diagonal_neg1_last_1", lambda a: a.diagonal(-1, -1, 1), x(2, 3, 4))
case("diagonal_past_edge", lambda a: a.diagonal(5), x(3, 4))

with open("indexing.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases")
