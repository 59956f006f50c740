#!/usr/bin/python3
"""Conformance runner over ONNX's backend node tests.

Every test directory under the data dir (Debian's libonnx-testdata ships them
in /usr/share/libonnx-testdata/data/node/test_*) holds a model.onnx and one or
more test_data_set_*/ with input_N.pb and output_N.pb TensorProto files. For
each test the runner

  1. checks the model's graph inputs and outputs with the onnx Python API: a
     dtype the plan cannot carry (float64, uint*, string, complex, bfloat16)
     or a non-tensor type (sequence, optional, map) makes the test SKIPPED;
  2. imports it with `ipuc --emit=tosa`: a failure saying "unsupported ONNX op"
     or "unsupported dtype" (or an unsupported opset/attribute form) makes the
     test SKIPPED with that reason; any other import failure is a FAILURE;
  3. compiles it with `ipuc model.onnx -o t.ipuplan --target=host`, runs every
     data set with `ipu-run --device=host --quiet`, and compares each output
     with the expected one: same shape and dtype; floats within rtol=1e-4,
     atol=1e-5 (NaN equals NaN), integers and booleans exactly.

It prints every failure with its reason and finally `N passed, M failed, K
skipped`. The exit status is 1 when any test failed or fewer than --min-pass
passed. `--write-support-doc docs/onnx-support.md` records the outcome.

Run it with Debian's Python (it needs numpy and onnx):

    /usr/bin/python3 test/onnx/run_node_tests.py --ipuc build/bin/ipuc \\
        --ipu-run build/bin/ipu-run
"""
import argparse
import collections
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
TIMEOUT_S = 60.0
RTOL = 1e-4
ATOL = 1e-5

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"

# Element types the plan and the npy exchange can carry. Everything else is a
# skip reason by itself, decided before ipuc ever sees the model.
SUPPORTED_ELEM_TYPES = {
    TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BOOL,
    TensorProto.INT8, TensorProto.INT16, TensorProto.INT32, TensorProto.INT64,
}

# Import failures that mean "not supported yet" rather than "wrong". The first
# group of each pattern names the thing that is unsupported.
SKIP_PATTERNS = [
    ("op", re.compile(r"unsupported ONNX op", re.I)),
    ("dtype", re.compile(r"unsupported (?:element )?d?type", re.I)),
    ("opset", re.compile(r"unsupported opset", re.I)),
    ("opset", re.compile(r"opset \d+ (?:is )?not supported", re.I)),
]

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class Result:
    def __init__(self, name, status, reason="", ops=()):
        self.name = name
        self.status = status
        self.reason = reason
        self.ops = tuple(ops)
        self.seconds = 0.0


def elem_type_name(elem_type):
    return TensorProto.DataType.Name(elem_type).lower()


def type_problem(value_info):
    """Why a graph input/output type cannot be run, or None."""
    t = value_info.type
    kind = t.WhichOneof("value")
    if kind != "tensor_type":
        return f"unsupported type: {kind or 'unknown'} " \
               f"('{value_info.name}')"
    elem = t.tensor_type.elem_type
    if elem not in SUPPORTED_ELEM_TYPES:
        return f"unsupported dtype: {elem_type_name(elem)}"
    return None


def first_line(text):
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line
    return "(no message)"


def error_line(text):
    """The most telling line of a tool's stderr: the first 'error' line."""
    for line in text.splitlines():
        if "error" in line.lower():
            return line.strip()
    return first_line(text)


def skip_reason_from_error(message, op_types):
    """Normalised skip reason if `message` says something is unsupported."""
    for kind, pattern in SKIP_PATTERNS:
        if not pattern.search(message):
            continue
        line = next((l for l in message.splitlines() if pattern.search(l)),
                    first_line(message))
        if kind == "op":
            # Name the op: the first of the model's op types that the message
            # mentions as a word, so reasons group by op whatever the format.
            for op in sorted(op_types, key=len, reverse=True):
                if re.search(r"(?<![A-Za-z0-9_])" + re.escape(op) +
                             r"(?![A-Za-z0-9_])", line):
                    return f"unsupported op: {op}"
            return "unsupported op: " + line
        if kind == "dtype":
            m = re.search(r"\b(f16|bf16|f64|float64|double|u?int\d+|ui\d+|"
                          r"i\d+|string|complex\d*|bfloat16|float16)\b", line)
            return "unsupported dtype: " + (m.group(1) if m else line)
        return "unsupported: " + line
    return None


def run_tool(cmd, deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise subprocess.TimeoutExpired(cmd, 0)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace", timeout=remaining)


def compare(name, actual, expected):
    """None when equal within tolerance, else a one-line reason."""
    if actual.shape != expected.shape:
        return f"output '{name}': shape {list(actual.shape)} != expected " \
               f"{list(expected.shape)}"
    if actual.dtype != expected.dtype:
        return f"output '{name}': dtype {actual.dtype} != expected " \
               f"{expected.dtype}"
    if expected.dtype.kind == "f":
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        if np.allclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True):
            return None
        with np.errstate(invalid="ignore"):
            diff = np.abs(a - e)
        both_nan = np.isnan(a) & np.isnan(e)
        diff = np.where(both_nan, 0.0, diff)
        diff = np.where(np.isnan(diff), np.inf, diff)
        bad = int(np.count_nonzero(
            ~np.isclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True)))
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape) \
            if diff.size else ()
        return f"output '{name}': max abs error {float(np.max(diff)):.3g} " \
               f"at {list(map(int, idx))} (got {a[idx]:.6g}, expected " \
               f"{e[idx]:.6g}); {bad}/{e.size} elements differ"
    if np.array_equal(actual, expected):
        return None
    bad = int(np.count_nonzero(actual != expected))
    idx = np.unravel_index(int(np.argmax(actual != expected)), actual.shape) \
        if actual.size else ()
    return f"output '{name}': {bad}/{expected.size} elements differ " \
           f"(first at {list(map(int, idx))}: got {actual[idx]}, expected " \
           f"{expected[idx]})"


def load_pb(path):
    tensor = TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def run_test(test_dir, args):
    name = os.path.basename(test_dir)
    deadline = time.monotonic() + args.timeout
    start = time.monotonic()
    result = _run_test(test_dir, name, args, deadline)
    result.seconds = time.monotonic() - start
    return result


def _run_test(test_dir, name, args, deadline):
    model_path = os.path.join(test_dir, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as e:  # pylint: disable=broad-except
        return Result(name, FAIL, f"onnx cannot load model: {e}")
    graph = model.graph
    op_types = sorted({n.op_type for n in graph.node})

    # 1. Types the runner and the plan cannot carry.
    initializers = {t.name for t in graph.initializer}
    inputs = [vi for vi in graph.input if vi.name not in initializers]
    for vi in list(inputs) + list(graph.output):
        problem = type_problem(vi)
        if problem:
            return Result(name, SKIP, problem, op_types)

    data_sets = sorted(
        d for d in os.listdir(test_dir) if d.startswith("test_data_set_"))
    if not data_sets:
        return Result(name, SKIP, "no test data sets", op_types)

    work = tempfile.mkdtemp(prefix=f"ipuc-{name}-")
    try:
        # 2. Import: unsupported ops and dtypes are skips, not failures.
        try:
            imp = run_tool([args.ipuc, model_path, "--emit=tosa"], deadline)
        except subprocess.TimeoutExpired:
            return Result(name, FAIL, "ipuc --emit=tosa timed out", op_types)
        if imp.returncode != 0:
            message = imp.stderr + imp.stdout
            reason = skip_reason_from_error(message, op_types)
            if reason:
                return Result(name, SKIP, reason, op_types)
            return Result(name, FAIL, "import failed (rc "
                          f"{imp.returncode}): {error_line(message)}",
                          op_types)

        # 3. Compile for the device.
        plan = os.path.join(work, "t.ipuplan")
        try:
            comp = run_tool([args.ipuc, model_path, "-o", plan,
                             f"--target={args.target}"], deadline)
        except subprocess.TimeoutExpired:
            return Result(name, FAIL, "ipuc timed out", op_types)
        if comp.returncode != 0 or not os.path.exists(plan):
            return Result(name, FAIL, "compile failed (rc "
                          f"{comp.returncode}): "
                          f"{error_line(comp.stderr + comp.stdout)}",
                          op_types)

        # 4. Run and compare every data set.
        for ds in data_sets:
            ds_dir = os.path.join(test_dir, ds)
            cmd = [args.ipu_run, plan, f"--device={args.device}", "--quiet"]
            for i, vi in enumerate(inputs):
                pb = os.path.join(ds_dir, f"input_{i}.pb")
                if not os.path.exists(pb):
                    return Result(name, FAIL, f"{ds}: missing {pb}", op_types)
                npy = os.path.join(work, f"{ds}_input_{i}.npy")
                np.save(npy, load_pb(pb))
                cmd += ["--input", f"{vi.name}=@{npy}"]
            out_dir = os.path.join(work, f"{ds}_out")
            os.makedirs(out_dir)
            cmd += ["--output-dir", out_dir]
            try:
                run = run_tool(cmd, deadline)
            except subprocess.TimeoutExpired:
                return Result(name, FAIL, f"{ds}: ipu-run timed out", op_types)
            if run.returncode != 0:
                return Result(name, FAIL, f"{ds}: ipu-run failed (rc "
                              f"{run.returncode}): "
                              f"{error_line(run.stderr + run.stdout)}",
                              op_types)
            for i, vo in enumerate(graph.output):
                expected = load_pb(os.path.join(ds_dir, f"output_{i}.pb"))
                got_path = os.path.join(out_dir, f"{vo.name}.npy")
                if not os.path.exists(got_path):
                    return Result(name, FAIL, f"{ds}: ipu-run wrote no "
                                  f"'{vo.name}.npy'", op_types)
                try:
                    actual = np.load(got_path, allow_pickle=False)
                except Exception as e:  # pylint: disable=broad-except
                    return Result(name, FAIL, f"{ds}: cannot read "
                                  f"'{vo.name}.npy': {e}", op_types)
                problem = compare(vo.name, actual, expected)
                if problem:
                    return Result(name, FAIL, f"{ds}: {problem}", op_types)
        return Result(name, PASS, "", op_types)
    finally:
        if args.keep_temps:
            print(f"[{name}] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def md_cell(text):
    return text.replace("|", "\\|")


def write_support_doc(path, results, command, data_dir):
    passed = sorted(r.name for r in results if r.status == PASS)
    failed = sorted((r for r in results if r.status == FAIL),
                    key=lambda r: r.name)
    skipped = [r for r in results if r.status == SKIP]
    by_reason = collections.defaultdict(list)
    for r in skipped:
        by_reason[r.reason].append(r.name)

    lines = [
        "# ONNX operator support",
        "",
        "<!-- Generated by test/onnx/run_node_tests.py; do not edit by hand. -->",
        "",
        "This page is generated by the ONNX conformance runner, which compiles",
        "and runs ONNX's own backend node tests (Debian's `libonnx-testdata`,",
        f"`{data_dir}`) on the host device and compares every output with the",
        f"expected one (rtol {RTOL:g}, atol {ATOL:g}; integers and booleans",
        "exactly). Regenerate it from the repository root with",
        "",
        "```sh",
        command,
        "```",
        "",
        "## Summary",
        "",
        "| outcome | tests |",
        "|---|---:|",
        f"| passed | {len(passed)} |",
        f"| failed | {len(failed)} |",
        f"| skipped | {len(skipped)} |",
        f"| total | {len(results)} |",
        "",
        "A test is *skipped* when its model uses an op, a dtype or a value type",
        "ipuc does not support yet (the importer says so by name); every other",
        "test must pass.",
        "",
    ]
    if failed:
        lines += ["## Failing tests", "", "| test | reason |", "|---|---|"]
        for r in failed:
            lines.append(f"| `{r.name}` | {md_cell(r.reason)} |")
        lines.append("")
    lines += [f"## Passing tests ({len(passed)})", ""]
    ops_passing = collections.Counter()
    for r in results:
        if r.status == PASS:
            ops_passing.update(r.ops)
    lines += ["Ops exercised by passing tests: " +
              ", ".join(f"`{op}`" for op in sorted(ops_passing)) + ".", ""]
    lines += [f"`{n}`" + ("" if i == len(passed) - 1 else ",")
              for i, n in enumerate(passed)]
    lines += ["", f"## Skipped tests ({len(skipped)}), by reason", ""]

    def reason_key(item):
        return (-len(item[1]), item[0])

    lines += ["| reason | tests |", "|---|---:|"]
    for reason, names in sorted(by_reason.items(), key=reason_key):
        lines.append(f"| {md_cell(reason)} | {len(names)} |")
    lines.append("")
    for reason, names in sorted(by_reason.items(), key=reason_key):
        lines += [f"### {reason}", "", ", ".join(f"`{n}`" for n in
                                                 sorted(names)), ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


def find_tool(name):
    for build in ("build",):
        path = os.path.join(REPO_ROOT, build, "bin", name)
        if os.path.exists(path):
            return path
    return shutil.which(name) or os.path.join(REPO_ROOT, "build", "bin", name)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run ONNX backend node tests through ipuc and ipu-run.")
    parser.add_argument("--ipuc", default=find_tool("ipuc"))
    parser.add_argument("--ipu-run", dest="ipu_run",
                        default=find_tool("ipu-run"))
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--filter", default=None,
                        help="only tests whose name matches this regex")
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--device", choices=["host", "sim"], default="host")
    parser.add_argument("--target", choices=["host", "ipu"], default=None,
                        help="ipuc --target (default: host for --device=host, "
                        "ipu for --device=sim)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S,
                        help="seconds per test (default %(default)s)")
    parser.add_argument("--min-pass", type=int, default=150)
    parser.add_argument("--write-support-doc", metavar="FILE", default=None)
    parser.add_argument("--keep-temps", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print every test's outcome and the skip list")
    args = parser.parse_args(argv)
    if args.target is None:
        args.target = "host" if args.device == "host" else "ipu"

    for tool in (args.ipuc, args.ipu_run):
        if not os.access(tool, os.X_OK):
            print(f"error: tool not found or not executable: {tool}",
                  file=sys.stderr)
            return 2
    if not os.path.isdir(args.data_dir):
        print(f"error: no ONNX node tests at {args.data_dir} (install "
              "libonnx-testdata)", file=sys.stderr)
        return 2

    pattern = re.compile(args.filter) if args.filter else None
    tests = sorted(
        os.path.join(args.data_dir, d) for d in os.listdir(args.data_dir)
        if d.startswith("test_") and
        os.path.isfile(os.path.join(args.data_dir, d, "model.onnx")) and
        (pattern is None or pattern.search(d)))

    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(run_test, t, args): t for t in tests}
        for fut in concurrent.futures.as_completed(futures):
            try:
                r = fut.result()
            except Exception as e:  # pylint: disable=broad-except
                r = Result(os.path.basename(futures[fut]), FAIL,
                           f"runner error: {type(e).__name__}: {e}")
            results.append(r)
            if r.status == FAIL:
                print(f"FAIL {r.name}: {r.reason}", flush=True)
            elif args.verbose:
                print(f"{r.status} {r.name}" +
                      (f": {r.reason}" if r.reason else "") +
                      f" ({r.seconds:.1f}s)", flush=True)
    results.sort(key=lambda r: r.name)

    counts = collections.Counter(r.status for r in results)
    skip_reasons = collections.Counter(
        r.reason for r in results if r.status == SKIP)
    if skip_reasons:
        print("\nskipped, by reason:")
        for reason, n in sorted(skip_reasons.items(),
                                key=lambda kv: (-kv[1], kv[0])):
            print(f"  {n:4d}  {reason}")
            if args.verbose:
                print("        " + " ".join(
                    r.name for r in results
                    if r.status == SKIP and r.reason == reason))
    fail_ops = collections.Counter()
    for r in results:
        if r.status == FAIL:
            fail_ops.update(r.ops)
    if fail_ops:
        print("\nops in failing tests: " + ", ".join(
            f"{op} {n}" for op, n in fail_ops.most_common()))

    if args.write_support_doc:
        command = "/usr/bin/python3 test/onnx/run_node_tests.py " \
            "--ipuc build/bin/ipuc --ipu-run build/bin/ipu-run " \
            f"--write-support-doc {shlex.quote(args.write_support_doc)}"
        if args.data_dir != DEFAULT_DATA_DIR:
            command += f" --data-dir {shlex.quote(args.data_dir)}"
        write_support_doc(args.write_support_doc, results, command,
                          args.data_dir)
        print(f"\nwrote {args.write_support_doc}")

    elapsed = time.monotonic() - start
    print(f"\n{counts[PASS]} passed, {counts[FAIL]} failed, "
          f"{counts[SKIP]} skipped ({len(results)} tests, {elapsed:.0f}s)")
    if counts[FAIL]:
        return 1
    if counts[PASS] < args.min_pass:
        print(f"error: only {counts[PASS]} tests passed; at least "
              f"{args.min_pass} must", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
