"""Writes swa.json: PyTorch 1.13 float64 torch.optim.swa_utils.AveragedModel over a Linear(3, 2) followed by a
BatchNorm1d(2), trained by SGD for a few steps with an update after each: the default (SWA) average, an exponential
moving average, and use_buffers. Run with Debian's python3-torch: /usr/bin/python3 make_swa.py"""
import json
import torch
from torch.optim.swa_utils import AveragedModel

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

W0 = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.7]]
B0 = [0.2, -0.4]
X = [[[1.0, 2.0, -1.0], [0.5, -0.3, 2.0], [-1.5, 0.7, 0.1], [0.2, 0.2, 0.9]],
     [[-0.4, 1.1, 0.3], [2.0, -1.0, 0.5], [0.0, 0.6, -0.8], [1.2, -0.2, 0.4]],
     [[0.9, 0.9, 0.9], [-1.0, 0.4, 1.3], [0.3, -1.4, 0.2], [0.7, 0.1, -0.6]],
     [[1.3, -0.5, 0.0], [0.1, 0.8, -1.1], [-0.9, -0.2, 1.6], [0.4, 1.5, 0.3]]]
Y = [[1.0, -0.5], [0.3, 0.8], [-1.2, 0.1], [0.4, -0.9]]
DECAY = 0.75


def build():
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    with torch.no_grad():
        m[0].weight.copy_(torch.tensor(W0))
        m[0].bias.copy_(torch.tensor(B0))
    return m


def run(name, avg_fn=None, use_buffers=False):
    model = build()
    averaged = AveragedModel(model, avg_fn=avg_fn, use_buffers=use_buffers)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = []
    for x in X:
        opt.zero_grad()
        out = model(torch.tensor(x))
        ((out - torch.tensor(Y)) ** 2).sum().backward()
        opt.step()
        averaged.update_parameters(model)
        steps.append({k: v.flatten().tolist() for k, v in averaged.state_dict().items()})
    return {"name": name, "decay": DECAY if avg_fn else None, "use_buffers": use_buffers, "steps": steps}


ema = lambda avg, cur, n: DECAY * avg + (1 - DECAY) * cur
cases = [run("swa"), run("ema", ema), run("swa_buffers", None, True), run("ema_buffers", ema, True)]
with open("swa.json", "w") as f:
    json.dump({"w0": W0, "b0": B0, "x": X, "y": Y, "cases": cases}, f, indent=1)
