#!/usr/bin/python3
"""End-to-end test of the bundled example models against PyTorch.

Compiles examples/mlp.onnx and examples/cnn.onnx for both devices (`ipuc
--target=host` run with `ipu-run --device=host`, and `ipuc --target=ipu` run
on the simulator with `ipu-run --device=sim`) on the bundled sample inputs,
and compares every device's outputs with an independent reference: the same
network written
by hand with torch.nn.functional, using the weights read from the model's
initializers (computed in float64). Tolerance: rtol 1e-4, atol 1e-5.

    /usr/bin/python3 test/e2e/test_examples.py --ipuc build/bin/ipuc \\
        --ipu-run build/bin/ipu-run
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO_ROOT, "examples")
sys.path.insert(0, EXAMPLES)
import torch_reference  # noqa: E402  (the shared PyTorch reference)
RTOL = 1e-4
ATOL = 1e-5
TIMEOUT_S = 120


def op_types(model):
    return [n.op_type for n in model.graph.node]


def reference_mlp(model, x):
    # The hand-written network must be the one in the file; if the generator
    # changes, the reference has to change with it.
    assert op_types(model) == torch_reference.MLP_OPS, op_types(model)
    w = torch_reference.weights(model, torch.float64)
    return {"probs": torch_reference.mlp(w)(x)}


def reference_cnn(model, x):
    assert op_types(model) == torch_reference.CNN_OPS, op_types(model)
    w = torch_reference.weights(model, torch.float64)
    return {"logits": torch_reference.cnn(w)(x)}


CASES = [
    # name, model, input name, input file, reference
    ("mlp", "mlp.onnx", "x", "x_mlp.npy", reference_mlp),
    ("cnn", "cnn.onnx", "image", "x_cnn.npy", reference_cnn),
]


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(f"exit code {proc.returncode}:\n{proc.stdout}")
    return proc.stdout


# (device, ipuc target): each example runs on both devices.
DEVICES = [("host", "host"), ("sim", "ipu")]


def check_case(args, work, name, model_file, input_name, input_file,
               reference):
    return all([check_device(args, work, name, model_file, input_name,
                             input_file, reference, device, target)
                for device, target in DEVICES])


def check_device(args, work, name, model_file, input_name, input_file,
                 reference, device, target):
    model_path = os.path.join(EXAMPLES, model_file)
    x = np.load(os.path.join(EXAMPLES, input_file))
    plan = os.path.join(work, f"{name}_{device}.ipuplan")
    out_dir = os.path.join(work, f"{name}_{device}_out")
    run([args.ipuc, model_path, "-o", plan, f"--target={target}"])
    run([args.ipu_run, plan, f"--device={device}",
         "--input", f"{input_name}=@{os.path.join(EXAMPLES, input_file)}",
         "--output-dir", out_dir])
    name = f"{name} ({device})"

    model = onnx.load(model_path)
    expected = reference(model, torch.from_numpy(x).double())
    ok = True
    for out_name, ref in expected.items():
        ref = ref.numpy()
        path = os.path.join(out_dir, f"{out_name}.npy")
        if not os.path.exists(path):
            print(f"FAIL {name}: ipu-run wrote no {out_name}.npy")
            ok = False
            continue
        got = np.load(path)
        if got.shape != ref.shape or got.dtype != np.float32:
            print(f"FAIL {name}: {out_name} is {got.dtype}{list(got.shape)}, "
                  f"expected float32{list(ref.shape)}")
            ok = False
            continue
        err = np.abs(got.astype(np.float64) - ref)
        if not np.allclose(got, ref, rtol=RTOL, atol=ATOL):
            print(f"FAIL {name}: {out_name} max abs error {err.max():.3g} "
                  f"(rtol {RTOL:g}, atol {ATOL:g})")
            ok = False
        else:
            print(f"PASS {name}: {out_name} {list(got.shape)} max abs error "
                  f"{err.max():.3g}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipuc",
                        default=os.path.join(REPO_ROOT, "build", "bin", "ipuc"))
    parser.add_argument("--ipu-run", dest="ipu_run", default=os.path.join(
        REPO_ROOT, "build", "bin", "ipu-run"))
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="ipuc-e2e-")
    failures = 0
    try:
        for case in CASES:
            try:
                if not check_case(args, work, *case):
                    failures += 1
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"FAIL {case[0]}: {e}")
                failures += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(CASES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
