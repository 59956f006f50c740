#!/usr/bin/python3
"""Max-pool gradients of the host target against torch autograd.

For several models image -> Conv [-> Relu] -> MaxPool -> Flatten -> Gemm
(with and without the ReLU whose gradient fuses into the pool's, square and
non-square windows, a batch large enough to split over threads) one training
step `ipuc --train --optimizer=sgd --lr=1` is run by ipu-run, so each
weight's gradient is its initial minus its saved value; the conv's gradient
flows back through the pool. torch computes the same cross-entropy gradient
in float64 with autograd (F.max_pool2d, which routes a window's gradient to
its first maximum where ipuc routes it to every tied one: the inputs are
continuous, so the only ties are windows of ReLU zeros, where both give 0).
The host plan must run each pool gradient as the MaxPool2DBackward kernel
(checked in --emit=plan output), with IPUC_NUM_THREADS 1 and 2.

    pool_grads_vs_torch.py WORK_DIR
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

from train_parity import run, train

CLASSES = 5
# name, batch, channels, side, conv out channels, relu, pool kernel (h, w)
CASES = [
    ("relu_pool2", 3, 3, 8, 4, True, (2, 2)),
    ("pool2", 2, 2, 6, 3, False, (2, 2)),
    ("relu_pool3x2", 2, 3, 12, 4, True, (3, 2)),
    # 2^17 pooled-input elements: the kernel splits the batch over threads.
    ("threaded", 8, 3, 32, 16, True, (2, 2)),
]


def make_model(path, batch, channels, side, out, relu, pool, rng):
    weights = {
        "conv.weight": rng.normal(0, 0.3, (out, channels, 3, 3)),
        "conv.bias": rng.normal(0, 0.1, (out,)),
    }
    flat = out * (side // pool[0]) * (side // pool[1])
    weights["fc.weight"] = rng.normal(0, 0.1, (CLASSES, flat))
    weights["fc.bias"] = rng.normal(0, 0.1, (CLASSES,))
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    nodes = [helper.make_node("Conv", ["image", "conv.weight", "conv.bias"],
                              ["c"], kernel_shape=[3, 3], pads=[1] * 4)]
    last = "c"
    if relu:
        nodes.append(helper.make_node("Relu", ["c"], ["r"]))
        last = "r"
    nodes += [
        helper.make_node("MaxPool", [last], ["p"], kernel_shape=list(pool),
                         strides=list(pool)),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                         transB=1)]
    graph = helper.make_graph(
        nodes, "pool",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [batch, channels, side, side])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [batch, CLASSES])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return weights


def torch_grads(weights, relu, pool, image, label):
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in weights.items()}
    h = F.conv2d(torch.tensor(image, dtype=torch.float64), p["conv.weight"],
                 p["conv.bias"], padding=1)
    if relu:
        h = F.relu(h)
    h = F.max_pool2d(h, pool)
    logits = h.flatten(1) @ p["fc.weight"].T + p["fc.bias"]
    F.cross_entropy(logits, torch.tensor(label)).backward()
    return {k: v.grad.numpy() for k, v in p.items()}


def main():
    work = sys.argv[1]
    rng = np.random.default_rng(7)
    failed = False
    for name, batch, channels, side, out, relu, pool in CASES:
        model = os.path.join(work, f"{name}.onnx")
        weights = make_model(model, batch, channels, side, out, relu, pool,
                             rng)
        image = rng.normal(0, 1, (batch, channels, side, side)).astype(
            np.float32)
        label = rng.integers(0, CLASSES, batch).astype(np.int64)
        dataset = os.path.join(work, f"{name}.npz")
        np.savez(dataset, image=image, label=label)
        listing = run(["ipuc", model, "--target=host", "--train",
                       "--loss=cross_entropy", "--logits=logits",
                       "--labels=label", "--optimizer=sgd", "--lr=1",
                       "--emit=plan"])
        kernels = listing.count("max_pool2d_backward")
        ref = torch_grads(weights, relu, pool, image, label)
        ok = kernels == 1
        worst = {}
        for threads in ("1", "2"):
            os.environ["IPUC_NUM_THREADS"] = threads
            _, _, trained = train(work, f"{name}_{threads}", model, "host",
                                  "host", dataset,
                                  ["--optimizer=sgd", "--lr=1"], 1)
            for k, g in ref.items():
                ours = weights[k].astype(np.float64) - trained[k]
                scale = max(1.0, float(np.abs(g).max()))
                worst[k] = max(worst.get(k, 0), float(np.abs(ours - g).max()))
                ok &= bool(np.allclose(ours, g, rtol=0, atol=2e-5 * scale))
                # The conv's gradient is not zero: the pool passed some on.
                ok &= bool(np.abs(g).max() > 1e-3)
        print(f"{name} {'ok' if ok else 'FAILED'}")
        if not ok:
            failed = True
            print(f"  max-pool backward kernels: {kernels} of 1")
            for k, w in worst.items():
                print(f"  {k}: worst difference {w}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
