# PyTorch 1.13 reference for full backward hooks: run with /usr/bin/python3 make_modules.py
import json
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
lin = nn.Linear(3, 2)
w = [[0.5, -1.0, 0.25], [2.0, 0.75, -0.5]]
b = [0.1, -0.2]
with torch.no_grad():
    lin.weight.copy_(torch.tensor(w))
    lin.bias.copy_(torch.tensor(b))
tanh = nn.Tanh()
model = nn.Sequential(lin, tanh)
x_values = [[1.0, 2.0, -3.0], [0.5, -0.25, 4.0]]
x = torch.tensor(x_values, requires_grad=True)
seen = {}

def hook(name):
    def f(module, grad_input, grad_output):
        seen[name + "_grad_input"] = None if grad_input[0] is None else grad_input[0].flatten().tolist()
        seen[name + "_grad_output"] = grad_output[0].flatten().tolist()
    return f

lin.register_full_backward_hook(hook("linear"))
tanh.register_full_backward_hook(hook("tanh"))
loss = (model(x) * torch.tensor([1.5, -2.0])).sum() + (x * 3).sum()
loss.backward()

# A first layer whose input does not require grad: the hook gets (None,).
lin2 = nn.Linear(3, 2)
with torch.no_grad():
    lin2.weight.copy_(torch.tensor(w))
    lin2.bias.copy_(torch.tensor(b))
lin2.register_full_backward_hook(hook("first"))
lin2(torch.tensor(x_values)).pow(2).sum().backward()

out = {"weight": w, "bias": b, "x": x_values, "x_grad": x.grad.flatten().tolist(),
       "weight_grad": lin.weight.grad.flatten().tolist()}
out.update(seen)
with open("full_backward_hooks.json", "w") as fh:
    json.dump(out, fh, indent=1)
