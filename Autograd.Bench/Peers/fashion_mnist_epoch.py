#!/usr/bin/python3
"""PyTorch 1.13 (Debian's python3-torch, run as /usr/bin/python3) on the Fashion-MNIST epoch of
`examples/FashionMnist --model modern`, whose epoch `Autograd.Bench -- compare` runs beside it.

The model: 784 -> 512 Linear, 2 pre-norm residual blocks x + Dropout(GELU(Linear(LayerNorm(x)))) with dropout 0,
LayerNorm -> Linear -> 10. AdamW lr 1e-3, weight decay 0.05 on the matrices and 0 on biases and LayerNorm weights;
cross-entropy with label smoothing 0.1; batches of 128 in a fresh random order every epoch (the last one partial),
each training image moved by up to 1 pixel in x and y (uncovered pixels take the background value) and
mirrored left-right with probability 1/2; a linear warm-up of the learning rate over 2 epochs
from a tenth, then a cosine to 0, stepped once per epoch. Inputs are the pixels / 255 standardized with the training
pixels' mean and standard deviation. Each step also reads the loss and counts the correct predictions, as the example
does for its train loss and accuracy.

Prints `pytorch_fmnist_epoch_s S s`, the mean seconds per epoch of training only (no data loading, no test pass), or
`# unavailable: REASON` (exit 0) when torch or the data set is missing.
"""
import argparse
import gzip
import math
import os
import sys
import time
import warnings


def unavailable(reason):
    print(f"# unavailable: {reason}")
    sys.exit(0)


def read_idx(directory, name):
    for path in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
        if os.path.exists(path):
            with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return numpy.frombuffer(data, dtype=numpy.uint8, offset=4 + 4 * dims).reshape(shape)
    unavailable(f"Fashion-MNIST: {name} (or .gz) not found in {directory} (sudo apt-get install dataset-fashion-mnist, or --data-dir)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only (smoke runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist/")
    o = parser.parse_args()
    # Debian's torch calls the system BLAS (OpenBLAS by default), whose own thread pool gets the same count.
    os.environ["OPENBLAS_NUM_THREADS"] = str(o.threads)
    global numpy
    try:
        import numpy
        import torch
        import torch.nn as nn
    except ImportError as e:
        unavailable(f"PyTorch peer: {e} (run it with Debian's /usr/bin/python3 and python3-torch)")
    torch.set_num_threads(o.threads)
    # SequentialLR of torch 1.13 passes an epoch to its first scheduler's step() and warns about it.
    warnings.filterwarnings("ignore", message="The epoch parameter", category=UserWarning)

    images = read_idx(o.data_dir, "train-images-idx3-ubyte")
    labels = read_idx(o.data_dir, "train-labels-idx1-ubyte")
    if o.limit is not None:
        images, labels = images[:o.limit], labels[:o.limit]
    pixels = images.reshape(len(images), 784).astype(numpy.float32) / numpy.float32(255)
    p64 = pixels.astype(numpy.float64)
    mean = p64.mean()
    std = math.sqrt(((p64 - mean) ** 2).mean())
    x_train = torch.from_numpy((pixels - numpy.float32(mean)) / numpy.float32(std))
    y_train = torch.from_numpy(labels.astype(numpy.int64))

    torch.manual_seed(o.seed)
    width, blocks, dropout, batch_size, shift = 512, 2, 0.0, 128, 1

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(width)
            self.fc = nn.Linear(width, width)
            self.gelu = nn.GELU()
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            return x + self.dropout(self.gelu(self.fc(self.norm(x))))

    model = nn.Sequential(nn.Linear(784, width), *[Block() for _ in range(blocks)], nn.LayerNorm(width), nn.Linear(width, 10))
    params = list(model.parameters())
    optimizer = torch.optim.AdamW([
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.05},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ], lr=1e-3, weight_decay=0.05)
    warmup = 2
    schedule = torch.optim.lr_scheduler.SequentialLR(optimizer, [
        torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, end_factor=1, total_iters=warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, o.epochs - warmup)),
    ], milestones=[warmup])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    shuffle = torch.Generator().manual_seed(o.seed + 2)
    augment = torch.Generator().manual_seed(o.seed + 3)
    n = len(x_train)
    background = float((0 - mean) / std)
    side = torch.arange(28)

    print(f"# pytorch: torch {torch.__version__}, {torch.get_num_threads()} threads, {n} training images, {o.epochs} epochs")
    total = 0.0
    for epoch in range(1, o.epochs + 1):
        start = time.perf_counter()
        model.train()
        loss_sum, correct = 0.0, 0
        order = torch.randperm(n, generator=shuffle)
        for i in range(0, n, batch_size):
            index = order[i:i + batch_size]
            inputs, targets = x_train[index], y_train[index]
            b = len(index)
            # The example's Augment: output (y, x) reads source (y - dy, (mirror ? 27 - x : x) - dx), background outside.
            dx = torch.randint(-shift, shift + 1, (b,), generator=augment)
            dy = torch.randint(-shift, shift + 1, (b,), generator=augment)
            mirror = torch.rand(b, generator=augment) < 0.5
            padded = nn.functional.pad(inputs.view(b, 28, 28), (shift, shift, shift, shift), value=background)
            xs = torch.where(mirror[:, None], 27 - side, side) - dx[:, None] + shift
            ys = side - dy[:, None] + shift
            inputs = padded[torch.arange(b)[:, None, None], ys[:, :, None], xs[:, None, :]].reshape(b, 784)
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            optimizer.zero_grad(set_to_none=False)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * b
            correct += (logits.argmax(1) == targets).sum().item()
        schedule.step()
        seconds = time.perf_counter() - start
        total += seconds
        print(f"# epoch {epoch}/{o.epochs}: loss {loss_sum / n:.4f}, train acc {100 * correct / n:.2f}%, {seconds:.1f} s")
    print(f"pytorch_fmnist_epoch_s {total / o.epochs:.2f} s")


if __name__ == "__main__":
    main()
