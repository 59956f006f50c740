"""A model whose weight lives in the ipu plan's tile image.

gen DIR:   writes DIR/model.onnx, y = x @ W + b with W f32[1024, 1024] (4 MiB,
           enough tile memory that the simulator maps the image's pages from
           the plan file), and DIR/x.npy.
check DIR OUT: compares OUT/y.npy with NumPy's x @ W + b.
ranges:    reads `ipu-run --dump` on stdin and checks that every image range
           starts on a page of tile memory and of the image, in tile order.
"""
import re
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def weights():
    rng = np.random.default_rng(3)
    return (rng.normal(0, 0.05, (1024, 1024)).astype(np.float32),
            rng.normal(0, 1, (1024,)).astype(np.float32))


def gen(d):
    w, b = weights()
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["mm"]),
         helper.make_node("Add", ["mm", "b"], ["y"])],
        "tile_image",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [16, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [16, 1024])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, f"{d}/model.onnx")
    x = np.random.default_rng(4).uniform(-1, 1, (16, 1024)).astype(np.float32)
    np.save(f"{d}/x.npy", x)


def check(d, out):
    w, b = weights()
    x = np.load(f"{d}/x.npy")
    want = x.astype(np.float64) @ w.astype(np.float64) + b
    got = np.load(f"{out}/y.npy")
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-4)
    print("y", "ok" if ok else f"MISMATCH max err {np.abs(got - want).max()}")


def ranges():
    pat = re.compile(r"^    tile (\d+) bytes \[(\d+), (\d+)\) from image byte (\d+)$")
    found = [tuple(map(int, m.groups())) for m in map(pat.match, sys.stdin) if m]
    tiles = [r[0] for r in found]
    aligned = all(a % 4096 == 0 and off % 4096 == 0 for _, a, _, off in found)
    ordered = tiles == sorted(set(tiles))
    print(f"{len(found)} ranges", "aligned" if aligned else "MISALIGNED",
          "ordered" if ordered else "UNORDERED")


if __name__ == "__main__":
    if sys.argv[1] == "ranges":
        ranges()
    elif sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
