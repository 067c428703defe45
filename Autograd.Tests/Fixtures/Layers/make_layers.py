"""Writes layers.safetensors (float64 state dicts of seeded PyTorch layers, keys prefixed by the case name) and
layers.json (their inputs, outputs and gradients) for TorchWeightsTests. Run with Debian's python3-torch 1.13:
    /usr/bin/python3 make_layers.py
RMSNorm (PyTorch 2.4) is computed by hand, as torch 1.13 lacks it."""
import json
import os
import struct

import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))

state = {}
cases = {}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def arr(t):
    t = t.detach()
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": flat(t)}


def save_state(name, module):
    for k, v in module.state_dict().items():
        state[f"{name}.{k}"] = v.detach().clone()


def perturb(module):
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.5 * torch.randn_like(p))


def grads(module):
    return {k: arr(p.grad) for k, p in module.named_parameters() if p.grad is not None}


# Linear
lin = nn.Linear(4, 3)
save_state("linear", lin)
x = torch.randn(5, 4, requires_grad=True)
y = lin(x)
g = torch.randn_like(y)
y.backward(g)
cases["linear"] = {"repr": repr(lin), "input": arr(x), "output": arr(y), "grad_output": arr(g), "grad_input": arr(x.grad), "grads": grads(lin)}

# LayerNorm over two trailing axes
ln = nn.LayerNorm([2, 3])
perturb(ln)
save_state("layer_norm", ln)
x = (3 + 2 * torch.randn(4, 2, 3)).requires_grad_()
y = ln(x)
g = torch.randn_like(y)
y.backward(g)
cases["layer_norm"] = {"repr": repr(ln), "input": arr(x), "output": arr(y), "grad_output": arr(g), "grad_input": arr(x.grad), "grads": grads(ln)}


def batch_norm_case(name, bn, shape):
    perturb(bn)
    for _ in range(3):
        bn(1 + 2 * torch.randn(*shape))
    save_state(name, bn)
    x = (1 + 2 * torch.randn(*shape)).requires_grad_()
    y = bn(x)
    g = torch.randn_like(y)
    y.backward(g)
    case = {"repr": repr(bn), "input": arr(x), "output": arr(y), "grad_output": arr(g), "grad_input": arr(x.grad), "grads": grads(bn),
            "running_mean_after": arr(bn.running_mean), "running_var_after": arr(bn.running_var),
            "num_batches_tracked_after": int(bn.num_batches_tracked)}
    bn.eval()
    x.grad = None
    y = bn(x)
    y.backward(g)
    case["eval_output"] = arr(y)
    case["eval_grad_input"] = arr(x.grad)
    cases[name] = case


batch_norm_case("batch_norm", nn.BatchNorm1d(3), (6, 3))
batch_norm_case("batch_norm_3d", nn.BatchNorm1d(3, momentum=None), (4, 3, 5))

# GroupNorm
gn = nn.GroupNorm(2, 4)
perturb(gn)
save_state("group_norm", gn)
x = torch.randn(3, 4, 5).requires_grad_()
y = gn(x)
g = torch.randn_like(y)
y.backward(g)
cases["group_norm"] = {"repr": repr(gn), "input": arr(x), "output": arr(y), "grad_output": arr(g), "grad_input": arr(x.grad), "grads": grads(gn)}

# Embedding with a padding row (the lookups' gradient is accumulated by index; the padding row gets none)
emb = nn.Embedding(10, 3, padding_idx=1)
save_state("embedding", emb)
idx = torch.tensor([[1, 2, 3, 2], [4, 1, 9, 2]])
y = emb(idx)
g = torch.randn_like(y)
y.backward(g)
cases["embedding"] = {"repr": repr(emb), "input": arr(idx), "output": arr(y), "grad_output": arr(g), "grads": grads(emb)}

# Embedding with max_norm: the looked-up rows are renormalized in place
embn = nn.Embedding(6, 4, max_norm=1.5)
save_state("embedding_max_norm", embn)
idx = torch.tensor([0, 2, 2, 5])
y = embn(idx)
cases["embedding_max_norm"] = {"repr": repr(embn), "input": arr(idx), "output": arr(y), "weight_after": arr(embn.weight)}


def bag_case(name, bag, idx, offsets):
    save_state(name, bag)
    y = bag(idx, offsets)
    g = torch.randn_like(y)
    y.backward(g)
    cases[name] = {"repr": repr(bag), "input": arr(idx), "offsets": arr(offsets) if offsets is not None else None,
                   "output": arr(y), "grad_output": arr(g), "grads": grads(bag)}


bag_case("embedding_bag_mean", nn.EmbeddingBag(8, 3, mode="mean", padding_idx=0),
         torch.tensor([1, 0, 3, 3, 0, 5, 7, 2, 0]), torch.tensor([0, 3, 3, 5, 8]))
bag_case("embedding_bag_sum", nn.EmbeddingBag(8, 3, mode="sum"), torch.tensor([[1, 4, 3], [6, 6, 2]]), None)
bag_case("embedding_bag_max", nn.EmbeddingBag(8, 3, mode="max"), torch.tensor([1, 4, 3, 6, 2]), torch.tensor([0, 2, 2]))

# Bilinear
bil = nn.Bilinear(3, 2, 4)
save_state("bilinear", bil)
x1 = torch.randn(5, 3, requires_grad=True)
x2 = torch.randn(5, 2, requires_grad=True)
y = bil(x1, x2)
g = torch.randn_like(y)
y.backward(g)
cases["bilinear"] = {"repr": repr(bil), "input": arr(x1), "input2": arr(x2), "output": arr(y), "grad_output": arr(g),
                     "grad_input": arr(x1.grad), "grad_input2": arr(x2.grad), "grads": grads(bil)}

# A Sequential of them
seq = nn.Sequential(nn.Linear(4, 5), nn.LayerNorm(5), nn.Tanh(), nn.Linear(5, 2))
perturb(seq[1])
save_state("sequential", seq)
x = torch.randn(3, 4, requires_grad=True)
y = seq(x)
g = torch.randn_like(y)
y.backward(g)
cases["sequential"] = {"repr": repr(seq), "input": arr(x), "output": arr(y), "grad_output": arr(g), "grad_input": arr(x.grad), "grads": grads(seq)}

# RMSNorm (PyTorch 2.4): y = x * rsqrt(mean(x^2) + eps) * weight, eps None -> finfo(dtype).eps
rms_weight = 1 + 0.5 * torch.randn(2, 3)
state["rms_norm.weight"] = rms_weight.clone()
x = torch.randn(4, 2, 3, requires_grad=True)
eps = torch.finfo(torch.float64).eps
y = x * torch.rsqrt(x.pow(2).mean(dim=(-2, -1), keepdim=True) + eps) * rms_weight
g = torch.randn_like(y)
y.backward(g)
cases["rms_norm"] = {"repr": "RMSNorm((2, 3), eps=None, elementwise_affine=True)", "input": arr(x), "output": arr(y),
                     "grad_output": arr(g), "grad_input": arr(x.grad)}

# safetensors written by hand: 8-byte little-endian header length, JSON header, raw little-endian data.
header, blobs, offset = {}, [], 0
for key in sorted(state):
    t = state[key].contiguous()
    dtype = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}[t.dtype]
    raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
    header[key] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
header["__metadata__"] = {"torch": torch.__version__, "script": "make_layers.py"}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(HERE, "layers.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for raw in blobs:
        f.write(raw)

with open(os.path.join(HERE, "layers.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
