"""The bundled example networks written with torch.nn.functional.

An independent reference for ipuc's output on examples/mlp.onnx and
examples/cnn.onnx (the end-to-end test) and the PyTorch side of the latency
benchmark. The weights are read from the models' initializers; the network
structure is written here by hand and must match examples/make_models.py.
"""

import torch
import torch.nn.functional as F
from onnx import numpy_helper

MLP_OPS = ["Gemm", "Relu", "Gemm", "Softmax"]
CNN_OPS = ["Conv", "Relu", "MaxPool", "Conv", "Relu", "GlobalAveragePool",
           "Flatten", "Gemm"]


def weights(model, dtype=torch.float32):
    """The model's initializers as torch tensors of `dtype`, by name."""
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).to(dtype)
            for t in model.graph.initializer}


def mlp(w):
    """x -> Gemm -> Relu -> Gemm -> Softmax (output 'probs')."""
    def f(x):
        h = F.relu(F.linear(x, w["fc1.weight"], w["fc1.bias"]))
        return F.softmax(F.linear(h, w["fc2.weight"], w["fc2.bias"]), dim=-1)
    return f


def cnn(w):
    """image -> Conv -> Relu -> MaxPool -> Conv -> Relu -> GlobalAveragePool
    -> Flatten -> Gemm (output 'logits')."""
    def f(x):
        h = F.relu(F.conv2d(x, w["conv1.weight"], w["conv1.bias"], padding=1))
        h = F.max_pool2d(h, kernel_size=2, stride=2)
        h = F.relu(F.conv2d(h, w["conv2.weight"], w["conv2.bias"], padding=1))
        h = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)
        return F.linear(h, w["fc.weight"], w["fc.bias"])
    return f
