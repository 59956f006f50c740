#!/usr/bin/python3
"""Writes the bundled example models and sample inputs.

    /usr/bin/python3 examples/make_models.py [--out-dir examples]

produces
    mlp.onnx    x float[8,64] -> Gemm 64->128 -> Relu -> Gemm 128->10 -> Softmax
                (output "probs")
    cnn.onnx    image float[1,3,32,32] -> Conv 3->8 k3 p1 -> Relu -> MaxPool 2
                -> Conv 8->16 k3 p1 -> Relu -> GlobalAveragePool -> Flatten
                -> Gemm 16->10 (output "logits")
    x_mlp.npy, x_cnn.npy   sample inputs

Weights come from a fixed NumPy seed, so running the script again reproduces
the committed files byte for byte (opset 17, ONNX IR version 8). The files are
committed so a user can try ipuc without Python; this script documents how
they were made.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8


def _init(rng, name, shape, fan_in):
    # He-style scaling keeps activations in a sensible range through the ReLUs,
    # so the outputs are not all zero or saturated.
    scale = np.sqrt(2.0 / fan_in)
    data = (rng.standard_normal(shape) * scale).astype(np.float32)
    return numpy_helper.from_array(data, name)


def _bias(rng, name, n):
    return numpy_helper.from_array(
        (rng.standard_normal(n) * 0.1).astype(np.float32), name)


def _model(graph):
    model = helper.make_model(
        graph,
        producer_name="ipuc-examples",
        opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def make_mlp(rng):
    inits = [
        _init(rng, "fc1.weight", (128, 64), 64),
        _bias(rng, "fc1.bias", 128),
        _init(rng, "fc2.weight", (10, 128), 128),
        _bias(rng, "fc2.bias", 10),
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h1"],
                         name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["logits"],
                         name="fc2", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax",
                         axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 64])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [8, 10])],
        initializer=inits)
    return _model(graph)


def make_cnn(rng):
    inits = [
        _init(rng, "conv1.weight", (8, 3, 3, 3), 3 * 9),
        _bias(rng, "conv1.bias", 8),
        _init(rng, "conv2.weight", (16, 8, 3, 3), 8 * 9),
        _bias(rng, "conv2.bias", 16),
        _init(rng, "fc.weight", (10, 16), 16),
        _bias(rng, "fc.bias", 10),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"], ["c1"],
                         name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"],
                         name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                         name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    return _model(graph)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=os.path.dirname(
        os.path.abspath(__file__)))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    rng = np.random.default_rng(20240601)
    mlp = make_mlp(rng)
    cnn = make_cnn(rng)
    x_mlp = rng.standard_normal((8, 64)).astype(np.float32)
    x_cnn = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)

    # A learnable task for the training demo, drawn from its own generator so
    # that the models above stay as they were: labels of a fixed random
    # linear teacher over the MLP's 64 features.
    data_rng = np.random.default_rng(0)
    x_train = data_rng.standard_normal((256, 64)).astype(np.float32)
    teacher = data_rng.standard_normal((64, 10)).astype(np.float32)
    label_train = np.argmax(x_train @ teacher, axis=1).astype(np.int64)

    outputs = {
        "mlp_train.npz": lambda p: np.savez(p, x=x_train, label=label_train),
        "mlp.onnx": lambda p: onnx.save(mlp, p),
        "cnn.onnx": lambda p: onnx.save(cnn, p),
        "x_mlp.npy": lambda p: np.save(p, x_mlp),
        "x_cnn.npy": lambda p: np.save(p, x_cnn),
    }
    for name, write in outputs.items():
        path = os.path.join(args.out_dir, name)
        write(path)
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
