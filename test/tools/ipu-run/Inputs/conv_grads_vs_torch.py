#!/usr/bin/python3
"""Convolution weight and input gradients of the host against torch autograd.

For several convolutions (strides, paddings, dilations, channel counts,
batch sizes, some with a second conv so that an input gradient flows too) an
ONNX model image -> Conv [-> Conv] -> Flatten -> Gemm -> logits is trained
for one step by `ipuc --train --optimizer=sgd --lr=1` and ipu-run, so each
weight's gradient is its initial minus its saved value. torch computes the
same cross-entropy gradient in float64 with autograd (F.conv2d); the first
conv's weight gradient is right only if the second conv's input gradient
is. The host plan must run each weight-gradient convolution as the
Conv2DBackwardFilter kernel and each input gradient as the
Conv2DBackwardData kernel (checked in --emit=plan output; a strided conv's
reads the gradient spread out by autodiff), with IPUC_NUM_THREADS 1 and 2.

    conv_grads_vs_torch.py WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

from train_parity import run, train

CLASSES = 5
# name, batch, channels, side, [(out channels, kernel, stride, pad, dilation)]
CASES = [
    ("k3_p1", 4, 3, 12, [(8, 3, 1, 1, 1)]),
    ("k3_s2_uneven", 3, 2, 11, [(4, 3, 2, 0, 1)]),
    ("k2_s2_p1_d2", 2, 3, 13, [(5, 2, 2, 1, 2)]),
    ("k5_p2_d1", 2, 4, 9, [(6, 5, 1, 2, 1)]),
    ("two_convs", 3, 2, 10, [(4, 3, 2, 1, 1), (6, 3, 1, 1, 1)]),
    # Large enough that the kernel splits the batch over two threads.
    ("threaded", 8, 8, 32, [(16, 3, 1, 1, 1)]),
    # Input gradients of a second conv: dilated, padded less than the
    # kernel's reach, strided, and on two threads with a partial 16-channel
    # block.
    ("dx_k3_p2_d2", 2, 3, 11, [(4, 3, 1, 1, 1), (5, 3, 1, 2, 2)]),
    ("dx_k5_p1", 2, 2, 12, [(3, 3, 1, 1, 1), (4, 5, 1, 1, 1)]),
    ("dx_k2_s2", 2, 2, 12, [(3, 3, 1, 0, 1), (4, 2, 2, 0, 1)]),
    ("dx_threaded", 8, 4, 20, [(20, 3, 1, 1, 1), (16, 3, 1, 1, 1)]),
]


def out_side(side, k, s, p, d):
    return (side + 2 * p - d * (k - 1) - 1) // s + 1


def make_model(path, batch, channels, side, convs, rng):
    weights, nodes, last, c, side_in = {}, [], "image", channels, side
    for i, (o, k, s, p, d) in enumerate(convs):
        weights[f"conv{i}.weight"] = rng.normal(0, 0.3, (o, c, k, k))
        weights[f"conv{i}.bias"] = rng.normal(0, 0.1, (o,))
        nodes.append(helper.make_node(
            "Conv", [last, f"conv{i}.weight", f"conv{i}.bias"], [f"c{i}"],
            kernel_shape=[k, k], strides=[s, s], pads=[p] * 4,
            dilations=[d, d]))
        last, c, side = f"c{i}", o, out_side(side, k, s, p, d)
    flat = c * side * side
    weights["fc.weight"] = rng.normal(0, 0.1, (CLASSES, flat))
    weights["fc.bias"] = rng.normal(0, 0.1, (CLASSES,))
    nodes += [helper.make_node("Flatten", [last], ["f"], axis=1),
              helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"],
                               ["logits"], transB=1)]
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [batch, channels, side_in, side_in])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [batch, CLASSES])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return weights


def torch_grads(weights, convs, image, label):
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in weights.items()}
    h = torch.tensor(image, dtype=torch.float64)
    for i, (o, k, s, pad, d) in enumerate(convs):
        h = F.conv2d(h, p[f"conv{i}.weight"], p[f"conv{i}.bias"], stride=s,
                     padding=pad, dilation=d)
    logits = h.flatten(1) @ p["fc.weight"].T + p["fc.bias"]
    F.cross_entropy(logits, torch.tensor(label)).backward()
    return {k: v.grad.numpy() for k, v in p.items()}


def main():
    work = sys.argv[1]
    rng = np.random.default_rng(5)
    failed = False
    for name, batch, channels, side, convs in CASES:
        model = os.path.join(work, f"{name}.onnx")
        weights = make_model(model, batch, channels, side, convs, rng)
        image = rng.normal(0, 1, (batch, channels, side, side)).astype(
            np.float32)
        label = rng.integers(0, CLASSES, batch).astype(np.int64)
        dataset = os.path.join(work, f"{name}.npz")
        np.savez(dataset, image=image, label=label)
        listing = run(["ipuc", model, "--target=host", "--train",
                       "--loss=cross_entropy", "--logits=logits",
                       "--labels=label", "--optimizer=sgd", "--lr=1",
                       "--emit=plan"])
        kernels = listing.count("conv2d_backward_filter")
        data_kernels = listing.count("conv2d_backward_data")
        # The image's own gradient is not computed.
        want_data = len(convs) - 1
        ref = torch_grads(weights, convs, image, label)
        ok = kernels == len(convs) and data_kernels == want_data
        for threads in ("1", "2"):
            os.environ["IPUC_NUM_THREADS"] = threads
            _, _, trained = train(work, f"{name}_{threads}", model, "host",
                                  "host", dataset,
                                  ["--optimizer=sgd", "--lr=1"], 1)
            for k, g in ref.items():
                ours = weights[k].astype(np.float64) - trained[k]
                scale = max(1.0, float(np.abs(g).max()))
                ok &= bool(np.allclose(ours, g, rtol=0, atol=2e-5 * scale))
        print(f"{name} {'ok' if ok else 'FAILED'}")
        if not ok:
            failed = True
            print(f"  backward-filter kernels: {kernels} of {len(convs)}")
            print(f"  backward-data kernels: {data_kernels} of {want_data}")
            for k, g in ref.items():
                ours = weights[k].astype(np.float64) - trained[k]
                print(f"  {k}: worst difference {np.abs(ours - g).max()}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
