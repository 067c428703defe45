"""PyTorch 1.13 references for Autograd.Distributed: DistributedDataParallel's initial bucket assignment
(torch.distributed._compute_bucket_assignment_by_size with the limits DDP passes: [1 MB, bucket_cap_mb]) and
DistributedSampler's shards with shuffle=False (torch's permutation comes from its own generator, so only the
index arithmetic is compared). Run with /usr/bin/python3 (Debian's python3-torch); writes distributed.json."""
import json
import torch
import torch.distributed as dist
from torch.utils.data.distributed import DistributedSampler

MB = 1024 * 1024
DTYPES = {"float32": torch.float32, "float64": torch.float64}

bucket_cases = [
    # (shapes with dtypes, bucket_cap_mb)
    ([([8, 4], "float32"), ([8], "float32"), ([3, 8], "float32"), ([3], "float32")], 150 / MB),
    ([([8, 4], "float32"), ([8], "float32"), ([3, 8], "float32"), ([3], "float32")], 25),
    ([([8, 4], "float32"), ([8], "float64"), ([3, 8], "float32"), ([3], "float64")], 100 / MB),
    ([([512, 512], "float32"), ([512], "float32"), ([512, 512], "float32"), ([512], "float32"), ([10, 512], "float32"), ([10], "float32")], 1),
    ([([600, 600], "float32"), ([600], "float32"), ([1000, 600], "float32"), ([1000], "float32"), ([3, 1000], "float32")], 2.5),
    ([([16], "float32")] * 7, 40 / MB),
]

buckets = []
for params, cap in bucket_cases:
    tensors = [torch.zeros(shape, dtype=DTYPES[dt]) for shape, dt in params]
    cap_bytes = int(cap * MB)
    indices, _ = dist._compute_bucket_assignment_by_size(tensors, [dist._DEFAULT_FIRST_BUCKET_BYTES, cap_bytes], [False] * len(tensors))
    # DDP hands the reducer the buckets reversed (distributed.py, _ddp_init_helper).
    buckets.append({
        "shapes": [shape for shape, _ in params],
        "dtypes": [dt for _, dt in params],
        "bucketCapMB": cap,
        "buckets": [list(b) for b in reversed(indices)],
    })


class Sized(torch.utils.data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


samplers = []
for n in [0, 1, 2, 5, 7, 10, 11, 12, 13]:
    for replicas in [1, 2, 3, 4, 5]:
        for drop_last in [False, True]:
            shards = [list(DistributedSampler(Sized(n), num_replicas=replicas, rank=r, shuffle=False, drop_last=drop_last))
                      for r in range(replicas)]
            samplers.append({"n": n, "numReplicas": replicas, "dropLast": drop_last, "shards": shards})

with open("distributed.json", "w") as f:
    json.dump({"torch": torch.__version__, "firstBucketBytes": dist._DEFAULT_FIRST_BUCKET_BYTES, "buckets": buckets, "samplers": samplers}, f, indent=1)
