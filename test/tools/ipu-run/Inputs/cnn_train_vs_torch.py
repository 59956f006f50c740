#!/usr/bin/python3
"""An ONNX CNN trained by `ipuc --train` + `ipu-run --dataset`, against torch.

The CNN counterpart of train_vs_torch.py (same driver and checks): a small
convolutional network is written as ONNX

    image [8,1,16,16] -> Conv 1->4 k3 p1 (+bias) -> Relu -> MaxPool 2
      -> Conv 4->8 k3 p1 (+bias) -> Relu -> AveragePool 2 -> Flatten
      -> Gemm 128->10 -> logits

compiled with `ipuc --train --loss=cross_entropy --logits=logits
--labels=label`, and trained for 20 steps by ipu-run's loop on a 40-sample
dataset (batches of 8, so the data wraps four times) with SGD+momentum, Adam
and AdamW. torch.optim trains the same network in float64 (F.conv2d,
F.max_pool2d, F.avg_pool2d, F.cross_entropy) from the same initial weights on
the same batches; every step's loss must agree within 1e-4 relative and the
saved weights within 1e-4 absolute.

    cnn_train_vs_torch.py WORK_DIR TARGET DEVICE
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

from train_parity import agrees, train

BATCH, CHANNELS, SIDE, CLASSES, SAMPLES, STEPS = 8, 1, 16, 10, 40, 20
C1, C2 = 4, 8
FLAT = C2 * (SIDE // 4) ** 2
LOSS_RTOL, WEIGHT_ATOL = 1e-4, 1e-4

# name, ipuc options, torch optimizer
CASES = [
    ("sgd_momentum", ["--optimizer=sgd", "--lr=0.05", "--momentum=0.9"],
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("adam", ["--optimizer=adam", "--lr=0.01"],
     lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adamw", ["--optimizer=adamw", "--lr=0.01", "--weight-decay=0.05"],
     lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05)),
]


def make_model(path, rng):
    weights = {
        "conv1.weight": rng.normal(0, 0.4, (C1, CHANNELS, 3, 3)),
        "conv1.bias": rng.normal(0, 0.1, (C1,)),
        "conv2.weight": rng.normal(0, 0.2, (C2, C1, 3, 3)),
        "conv2.bias": rng.normal(0, 0.1, (C2,)),
        "fc.weight": rng.normal(0, 0.1, (CLASSES, FLAT)),
        "fc.bias": rng.normal(0, 0.1, (CLASSES,)),
    }
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    pool = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"],
                         ["c1"], **conv),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], **pool),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"],
                         **conv),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("AveragePool", ["r2"], ["p2"], **pool),
        helper.make_node("Flatten", ["p2"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                         transB=1),
    ]
    graph = helper.make_graph(
        nodes, "cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [BATCH, CHANNELS, SIDE, SIDE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [BATCH, CLASSES])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)
    return weights


def forward(p, image):
    h = F.max_pool2d(F.relu(F.conv2d(image, p["conv1.weight"],
                                     p["conv1.bias"], padding=1)), 2)
    h = F.avg_pool2d(F.relu(F.conv2d(h, p["conv2.weight"], p["conv2.bias"],
                                     padding=1)), 2)
    return h.flatten(1) @ p["fc.weight"].T + p["fc.bias"]


def torch_losses(weights, data, make):
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in weights.items()}
    opt = make(list(p.values()))
    losses = []
    for step in range(STEPS):
        first = (step % (SAMPLES // BATCH)) * BATCH
        image = torch.tensor(data["image"][first:first + BATCH],
                             dtype=torch.float64)
        label = torch.tensor(data["label"][first:first + BATCH])
        opt.zero_grad()
        loss = F.cross_entropy(forward(p, image), label)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {k: v.detach().numpy() for k, v in p.items()}


def main():
    work, target, device = sys.argv[1:4]
    rng = np.random.default_rng(11)
    model = os.path.join(work, "cnn.onnx")
    weights = make_model(model, rng)
    data = {"image": rng.normal(0, 1, (SAMPLES, CHANNELS, SIDE, SIDE))
            .astype(np.float32),
            "label": rng.integers(0, CLASSES, SAMPLES).astype(np.int64)}
    dataset = os.path.join(work, "data.npz")
    np.savez(dataset, **data)
    failed = False
    for name, options, make in CASES:
        _, records, trained = train(work, name, model, target, device,
                                    dataset, options, STEPS)
        ours = np.array([r["loss"] for r in records])
        ref, ref_weights = torch_losses(weights, data, make)
        ok = agrees(records, trained, device, STEPS, ref, None, ref_weights,
                    LOSS_RTOL, WEIGHT_ATOL)
        worst = max(float(np.abs(trained[k] - v).max())
                    for k, v in ref_weights.items())
        # The loss must actually fall, or a training step that never updated
        # the weights would pass the first-step comparison trivially.
        ok &= float(np.mean(ref[-5:])) < float(np.mean(ref[:5]))
        print(f"{name} {'ok' if ok else 'FAILED'}")
        if not ok:
            failed = True
            print("  ipuc :", ours.tolist())
            print("  torch:", ref)
            print("  worst weight difference:", worst)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
