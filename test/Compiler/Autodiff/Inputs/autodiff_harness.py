"""Shared by the autodiff tests: compile a func+tosa loss with
`ipu-opt --ipuc-autodiff`, then `ipuc --target=host`, run it with
`ipu-run --device=host`, and read back the loss and its gradients.

ipu-opt, ipuc and ipu-run are taken from PATH (lit puts the build's first).
"""
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{proc.stdout}")
    return proc.stdout


def tensor_type(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def compile_and_run(work, mlir_text, inputs, passes=("--ipuc-autodiff",),
                    ipuc_flags=()):
    """Writes `mlir_text`, differentiates it (with `passes` in ipu-opt, or
    none) and compiles it with ipuc (plus `ipuc_flags`), then runs it on
    `inputs` (name -> float32 array). Returns a dict of output name ->
    array."""
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "forward.mlir")
    grad = os.path.join(work, "gradient.mlir")
    plan = os.path.join(work, "gradient.ipuplan")
    out = os.path.join(work, "out")
    with open(src, "w") as f:
        f.write(mlir_text)
    if passes:
        run(["ipu-opt", src] + list(passes) + ["-o", grad])
    else:
        grad = src
    run(["ipuc", grad, "-o", plan, "--target=host"] + list(ipuc_flags))
    args = []
    for name, value in inputs.items():
        path = os.path.join(work, f"{name}.npy")
        np.save(path, value.astype(np.float32))
        args += ["--input", f"{name}=@{path}"]
    run(["ipu-run", plan, "--device=host", "--output-dir", out, "--quiet"]
        + args)
    return {f[:-4]: np.load(os.path.join(out, f)) for f in os.listdir(out)
            if f.endswith(".npy")}


def check_against(outputs, loss, grads, rtol, atol):
    """Prints `loss ok|MISMATCH` and `grad_<name> ok|MISMATCH` lines for
    ipu-run's outputs against reference values (`loss` a float, `grads` a
    dict name -> array); returns whether all agreed."""
    ok = np.allclose(outputs["loss"], loss, rtol, atol)
    print(f"loss {'ok' if ok else 'MISMATCH'} {outputs['loss'][0]:.6f} "
          f"(reference {loss:.6f})")
    all_ok = ok
    for name, want in grads.items():
        got = outputs[f"grad_{name}"]
        ok = got.shape == want.shape and np.allclose(got, want, rtol, atol)
        err = np.max(np.abs(got - want)) if got.shape == want.shape \
            else "shape"
        print(f"grad_{name} {'ok' if ok else 'MISMATCH'}"
              + ("" if ok else f" max abs err {err}"))
        all_ok &= ok
    return all_ok
