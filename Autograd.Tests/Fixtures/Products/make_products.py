"""Writes products.json: torch.einsum, dot, outer, bmm, addmm and baddbmm values and gradients in float64.

Run with Debian's python3-torch 1.13: /usr/bin/python3 make_products.py
Each case holds its inputs, the output and the gradients of (output * cotangent).sum() with a fixed cotangent.
"""
import json
import torch

torch.manual_seed(1234)


def flat(t):
    return [v if v == v and abs(v) != float("inf") else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
            for v in t.detach().reshape(-1).tolist()]


def case(name, fn, shapes, **extra):
    xs = [torch.randn(s, dtype=torch.float64, requires_grad=True) for s in shapes]
    out = fn(*xs)
    w = torch.randn(out.shape, dtype=torch.float64)
    grads = torch.autograd.grad((out * w).sum(), xs, allow_unused=True)
    d = {
        "name": name,
        "inputs": [{"shape": list(x.shape), "data": flat(x)} for x in xs],
        "output": {"shape": list(out.shape), "data": flat(out)},
        "cotangent": flat(w),
        "grads": [flat(g) if g is not None else flat(torch.zeros_like(x)) for g, x in zip(grads, xs)],
    }
    d.update(extra)
    return d


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("iij->ji", [(3, 3, 4)]),
    ("iii->i", [(3, 3, 3)]),
    ("i,i", [(5,), (5,)]),
    ("i,i->i", [(5,), (5,)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("ba...", [(5, 2, 3)]),
    ("Ba", [(5, 2)]),
    ("aB", [(5, 2)]),
    ("...i,...i->...", [(2, 1, 3), (4, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("ij,kl->ijkl", [(2, 3), (4, 5)]),
    ("abc,cd,db->a", [(2, 3, 4), (4, 5), (5, 3)]),
    ("ij,j->i", [(3, 4), (4,)]),
    (",i->i", [(), (3,)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("ij,ij->ij", [(2, 1), (2, 4)]),
    ("i->", [(0,)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("...ij->ij", [(5, 2, 3)]),
    ("i...->...i", [(3, 2)]),
    ("aab,bc->ac", [(3, 3, 4), (4, 2)]),
    ("ii,ij->j", [(3, 3), (3, 4)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ab,ab,ab->a", [(3, 4), (3, 4), (3, 4)]),
    ("ij,jk->ki", [(4, 3), (3, 2)]),
    ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("i,i,i->", [(4,), (4,), (4,)]),
    ("ij->i...j", [(3, 2)]),
    ("...", [(3, 2)]),
    ("...->", [(3, 2)]),
    ("", [()]),
    ("zZ,Zz->", [(3, 2), (2, 3)]),
]

cases = [case(eq, lambda *xs, eq=eq: torch.einsum(eq, *xs), shapes, equation=eq) for eq, shapes in EINSUM]

products = [
    case("dot", torch.dot, [(7,)] * 2),
    case("outer", torch.outer, [(3,), (5,)]),
    case("bmm", torch.bmm, [(2, 3, 4), (2, 4, 5)]),
    case("addmm", lambda i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=-2.0), [(3, 5), (3, 4), (4, 5)], beta=0.5, alpha=-2.0),
    case("addmm", lambda i, a, b: torch.addmm(i, a, b, beta=1.5, alpha=0.25), [(5,), (3, 4), (4, 5)], beta=1.5, alpha=0.25),
    case("baddbmm", lambda i, a, b: torch.baddbmm(i, a, b, beta=-0.5, alpha=3.0), [(2, 3, 5), (2, 3, 4), (2, 4, 5)], beta=-0.5, alpha=3.0),
    case("baddbmm", lambda i, a, b: torch.baddbmm(i, a, b, beta=2.0, alpha=1.0), [(1, 5), (2, 3, 4), (2, 4, 5)], beta=2.0, alpha=1.0),
]

with open("products.json", "w") as f:
    json.dump({"torch": torch.__version__, "einsum": cases, "products": products}, f)
