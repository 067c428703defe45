"""Writes optim.json: PyTorch 1.13 float64 trajectories of every optimizer on a fixed problem and learning rates of
every scheduler. Run with Debian's python3-torch: /usr/bin/python3 make_optim.py"""
import json, math
import torch
from torch.optim import lr_scheduler as L

torch.set_default_dtype(torch.float64)

W0 = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.7]]
B0 = [0.2, -0.4, 1.1]
S1 = [[1.0, 2.0, 0.5], [1.5, 0.7, 3.0]]
T1 = [[1.0, -1.0, 0.5], [0.2, 0.4, -0.3]]
S2 = [2.0, 0.5, 1.0]
T2 = [-0.5, 0.3, 0.9]
M = [[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]]
t = torch.tensor


def loss_fn(w, b):
    d1 = w - t(T1)
    l1 = (t(S1) * d1 * d1).sum()
    w2 = w * w
    l2 = (w2 * w2).sum() * 0.1
    d2 = b - t(T2)
    l3 = (t(S2) * d2 * d2).sum()
    l4 = (t(M) * w * b).sum() * 0.3
    wb = w * b
    l5 = (wb * wb).sum() * 0.05
    return l1 + l2 + l3 + l4 + l5


def torch_args(opts):
    """Our option names -> torch keyword arguments."""
    o = dict(opts)
    if 'beta1' in o or 'beta2' in o:
        o['betas'] = (o.pop('beta1', 0.9), o.pop('beta2', 0.999))
    if 'eta_minus' in o:
        o['etas'] = (o.pop('eta_minus'), o.pop('eta_plus'))
    if 'step_size_min' in o:
        o['step_sizes'] = (o.pop('step_size_min'), o.pop('step_size_max'))
    for k in ('nesterov', 'amsgrad', 'maximize', 'centered'):
        if k in o:
            o[k] = bool(o[k])
    if o.get('line_search_fn') == 1:
        o['line_search_fn'] = 'strong_wolfe'
    elif 'line_search_fn' in o:
        o['line_search_fn'] = None
    return o


def run(name, kind, defaults, groups=None, steps=20):
    w = t(W0).clone().requires_grad_(True)
    b = t(B0).clone().requires_grad_(True)
    sign = -1.0 if defaults.get('maximize') else 1.0
    cls = getattr(torch.optim, kind)
    if groups is None:
        opt = cls([w, b], **torch_args(defaults))
    else:
        opt = cls([dict(params=[w], **torch_args(groups[0])), dict(params=[b], **torch_args(groups[1]))], **torch_args(defaults))

    def closure():
        opt.zero_grad()
        loss = sign * loss_fn(w, b)
        loss.backward()
        return loss

    traj, losses = [], []
    for _ in range(steps):
        if kind == 'LBFGS':
            losses.append(float(opt.step(closure)))
        else:
            losses.append(float(closure()))
            opt.step()
        traj.append(w.detach().flatten().tolist() + b.detach().tolist())
    return dict(name=name, optimizer=kind, defaults=defaults, groups=groups, steps=steps, losses=losses, trajectory=traj)


cases = []
A = cases.append
A(run('sgd', 'SGD', dict(lr=0.01)))
A(run('sgd_momentum', 'SGD', dict(lr=0.01, momentum=0.9)))
A(run('sgd_nesterov', 'SGD', dict(lr=0.01, momentum=0.9, nesterov=1)))
A(run('sgd_dampening_wd', 'SGD', dict(lr=0.01, momentum=0.5, dampening=0.1, weight_decay=0.1)))
A(run('sgd_maximize', 'SGD', dict(lr=0.01, momentum=0.9, maximize=1)))
A(run('sgd_groups', 'SGD', dict(lr=0.01), [dict(lr=0.02, momentum=0.9), dict(lr=0.005)]))
A(run('adam', 'Adam', dict(lr=0.05)))
A(run('adam_amsgrad', 'Adam', dict(lr=0.05, amsgrad=1)))
A(run('adam_wd', 'Adam', dict(lr=0.05, weight_decay=0.1)))
A(run('adam_maximize', 'Adam', dict(lr=0.05, maximize=1)))
A(run('adam_groups', 'Adam', dict(lr=0.05), [dict(beta1=0.8), dict(lr=0.01, amsgrad=1)]))
A(run('adamw', 'AdamW', dict(lr=0.05, weight_decay=0.1)))
A(run('adamw_amsgrad_maximize', 'AdamW', dict(lr=0.05, amsgrad=1, maximize=1)))
A(run('rmsprop', 'RMSprop', dict(lr=0.01)))
A(run('rmsprop_centered_momentum', 'RMSprop', dict(lr=0.01, centered=1, momentum=0.5)))
A(run('rmsprop_wd_maximize', 'RMSprop', dict(lr=0.01, weight_decay=0.1, maximize=1)))
A(run('adagrad', 'Adagrad', dict(lr=0.1)))
A(run('adagrad_options', 'Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)))
A(run('adagrad_maximize', 'Adagrad', dict(lr=0.1, maximize=1)))
A(run('adagrad_groups', 'Adagrad', dict(lr=0.1), [dict(lr_decay=0.05), dict(lr=0.05, initial_accumulator_value=0.5)]))
A(run('adadelta', 'Adadelta', dict(lr=1.0)))
A(run('adadelta_options', 'Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1)))
A(run('adadelta_maximize', 'Adadelta', dict(lr=1.0, maximize=1)))
A(run('adamax', 'Adamax', dict(lr=0.05)))
A(run('adamax_wd', 'Adamax', dict(lr=0.05, weight_decay=0.1, beta2=0.9)))
A(run('adamax_maximize', 'Adamax', dict(lr=0.05, maximize=1)))
A(run('nadam', 'NAdam', dict(lr=0.05)))
A(run('nadam_options', 'NAdam', dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)))
A(run('nadam_groups', 'NAdam', dict(lr=0.05), [dict(beta1=0.8), dict(lr=0.01, beta2=0.9)]))
A(run('radam', 'RAdam', dict(lr=0.05)))
A(run('radam_options', 'RAdam', dict(lr=0.05, beta2=0.9, weight_decay=0.1)))
A(run('radam_groups', 'RAdam', dict(lr=0.05), [dict(beta2=0.9), dict(lr=0.01)]))
A(run('rprop', 'Rprop', dict(lr=0.01)))
A(run('rprop_options', 'Rprop', dict(lr=0.01, eta_minus=0.3, eta_plus=1.5, step_size_min=1e-3, step_size_max=0.05)))
A(run('rprop_maximize', 'Rprop', dict(lr=0.01, maximize=1)))
A(run('asgd', 'ASGD', dict(lr=0.01)))
A(run('asgd_options', 'ASGD', dict(lr=0.01, lambd=1e-2, alpha=0.5, t0=5.0, weight_decay=0.1)))
A(run('asgd_maximize', 'ASGD', dict(lr=0.01, t0=5.0, maximize=1)))
A(run('asgd_groups', 'ASGD', dict(lr=0.01, t0=5.0), [dict(lambd=1e-2), dict(lr=0.02, alpha=0.5)]))
A(run('lbfgs', 'LBFGS', dict(lr=1.0, max_iter=5, history_size=3), steps=5))
A(run('lbfgs_strong_wolfe', 'LBFGS', dict(lr=1.0, max_iter=10, history_size=5, line_search_fn=1), steps=4))


def sched(name, make, steps, lrs=(0.1,), momentum=0.9, optimizer='SGD', between=None, metrics=None):
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    if optimizer == 'SGD':
        opt = torch.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0], momentum=momentum)
        mkey = 'momentum'
    else:
        opt = torch.optim.Adam([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0])
        mkey = 'betas'
    s = make(opt)
    def mom():
        return [g[mkey][0] if mkey == 'betas' else g[mkey] for g in opt.param_groups]
    rec_lr = [[g['lr'] for g in opt.param_groups]]
    rec_m = [mom()]
    for i in range(steps):
        opt.step()
        if metrics is not None:
            s.step(metrics[i])
        else:
            s.step()
        if between is not None:
            between(opt, i + 1)
        rec_lr.append([g['lr'] for g in opt.param_groups])
        rec_m.append(mom())
    return dict(name=name, lrs=list(lrs), steps=steps, lr=rec_lr, momentum=rec_m, metrics=metrics)


class Both:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def step(self):
        self.a.step()
        self.b.step()


def set_lr(at, value):
    def f(opt, i):
        if i == at:
            for g in opt.param_groups:
                g['lr'] = value
    return f


PLATEAU = [1.0, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4]
sch = []
S = sch.append
S(sched('step', lambda o: L.StepLR(o, 3, 0.5), 12))
S(sched('multistep', lambda o: L.MultiStepLR(o, [3, 7, 7, 10], 0.5), 12))
S(sched('exponential', lambda o: L.ExponentialLR(o, 0.9), 12))
S(sched('cosine', lambda o: L.CosineAnnealingLR(o, 5, 0.01), 25))
S(sched('linear', lambda o: L.LinearLR(o, 0.25, 1.0, 6), 10))
S(sched('constant', lambda o: L.ConstantLR(o, 0.5, 4), 8))
S(sched('lambda', lambda o: L.LambdaLR(o, lambda e: 0.95 ** e), 10))
S(sched('multiplicative', lambda o: L.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.0), 10))
S(sched('polynomial', lambda o: L.PolynomialLR(o, 8, 2.0), 10))
S(sched('onecycle', lambda o: L.OneCycleLR(o, 0.5, total_steps=20), 20))
S(sched('onecycle_three_phase_linear', lambda o: L.OneCycleLR(o, 0.5, total_steps=20, three_phase=True, anneal_strategy='linear'), 20))
S(sched('onecycle_adam', lambda o: L.OneCycleLR(o, 0.5, total_steps=15, pct_start=0.4), 15, optimizer='Adam'))
S(sched('cyclic', lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3), 15))
S(sched('cyclic_triangular2', lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=2, mode='triangular2'), 15))
S(sched('cyclic_exp_range', lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=2, mode='exp_range', gamma=0.9, cycle_momentum=False), 15))
S(sched('warm_restarts', lambda o: L.CosineAnnealingWarmRestarts(o, 4, 2, 0.001), 20))
S(sched('warm_restarts_mult1', lambda o: L.CosineAnnealingWarmRestarts(o, 3), 10))
S(sched('plateau_min', lambda o: L.ReduceLROnPlateau(o, 'min', 0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.01), 20, metrics=PLATEAU))
S(sched('plateau_max_abs', lambda o: L.ReduceLROnPlateau(o, 'max', 0.5, patience=1, threshold=0.1, threshold_mode='abs'), 20, metrics=PLATEAU))
S(sched('sequential', lambda o: L.SequentialLR(o, [L.ConstantLR(o, 0.1, 2), L.ExponentialLR(o, 0.9)], [3]), 10))
S(sched('sequential_warmup_cosine', lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 4), L.CosineAnnealingLR(o, 6)], [4]), 12))
S(sched('chained', lambda o: L.ChainedScheduler([L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.9)]), 8))
S(sched('two_chained', lambda o: Both(L.StepLR(o, 2, 0.5), L.ExponentialLR(o, 0.9)), 10))
S(sched('manual_exponential', lambda o: L.ExponentialLR(o, 0.9), 10, between=set_lr(4, 0.3)))
S(sched('manual_cosine', lambda o: L.CosineAnnealingLR(o, 8, 0.01), 12, between=set_lr(3, 0.05)))
S(sched('groups_step', lambda o: L.StepLR(o, 2, 0.5), 8, lrs=(0.1, 0.02)))
S(sched('groups_lambda', lambda o: L.LambdaLR(o, [lambda e: 1.0 / (e + 1), lambda e: 0.9 ** e]), 8, lrs=(0.1, 0.02)))
S(sched('groups_plateau', lambda o: L.ReduceLROnPlateau(o, factor=0.5, patience=1, min_lr=[0.02, 0.001]), 20, lrs=(0.1, 0.02), metrics=PLATEAU))

json.dump(dict(torch=torch.__version__, w0=W0, b0=B0, s1=S1, t1=T1, s2=S2, t2=T2, m=M, optimizers=cases, schedulers=sch),
          open('optim.json', 'w'), indent=1)
