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
     or "unsupported dtype" makes the test SKIPPED with that reason, and so
     does one where the importer states a limit of a supported op ("... is not
     supported", "only 2-D ... is supported", "must be a constant") unless
     --strict is given; any other import failure is a FAILURE;
  3. compiles it with `ipuc model.onnx -o t.ipuplan --target=host`, runs every
     data set with `ipu-run --device=host --quiet`, and compares each output
     with the expected one: same shape and dtype; floats within rtol=1e-4,
     atol=1e-5 (NaN equals NaN), integers and booleans exactly.

With `--device sim` the models are compiled for the partitioned ipu target
and run on the simulator; a model the partitioner rejects by name ("... is
not supported by the ipu target") is SKIPPED, or a FAILURE with
--no-ipu-skips (the ctest uses it, so every test that passes on the host
must pass on the simulator).

It prints every failure with its reason and finally `N passed, M failed, K
skipped`. The exit status is 1 when any test failed or fewer than --min-pass
passed. `--write-support-doc docs/onnx-support.md` records the outcome.

ipuc compiles static shapes, so graph inputs that decide a result's shape
(Reshape's shape, Slice's starts/ends/axes/steps, Squeeze/Unsqueeze axes,
Expand's shape, OneHot's depth, ...; see SHAPE_SLOTS) become initializers
holding each data set's value; the other inputs are fed at run time.
--no-freeze turns this off.

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
import textwrap
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

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

# Import failures that mean "not supported yet" rather than "wrong".
SKIP_PATTERNS = [
    ("op", re.compile(r"unsupported ONNX op", re.I)),
    ("dtype", re.compile(r"unsupported (?:element )?d?type", re.I)),
    ("opset", re.compile(r"unsupported opset", re.I)),
    ("opset", re.compile(r"opset \d+ (?:is )?not supported", re.I)),
]
# A compile error the ipu target reports for what it cannot partition yet;
# group 1 names the op ("'tensor.pad'").
IPU_UNSUPPORTED = re.compile(
    r"error: (\S+)[^\n]*not supported by the ipu target")

# The importer's deliberate limits on a supported op (an attribute value, a
# rank, an input that must be constant). Skips unless --strict.
FEATURE_PATTERN = re.compile(
    r"\b(?:is|are) not supported\b|\bonly .* (?:is|are) supported\b|"
    r"\bunsupported (?:attribute|Einsum)\b|\bmust be (?:an? )?(?:one-element |"
    r"scalar )?constants?\b", re.I)

# Node input slots whose values decide the shape of a result (Reshape's shape,
# Slice's starts, ...). ipuc compiles static shapes, so when a test feeds one
# of these from a graph input, the runner turns that input into an
# initializer holding the test data's value, as a user with a static-shape
# model would have it; the other inputs stay runtime inputs.
_REDUCE_OPS = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
               "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
               "ReduceLogSumExp", "ReduceSumSquare"]
SHAPE_SLOTS = {
    "Reshape": (1,), "Expand": (1,), "Slice": (1, 2, 3, 4),
    "Squeeze": (1,), "Unsqueeze": (1,), "OneHot": (1,), "Range": (0, 1, 2),
    "ConstantOfShape": (0,), "Tile": (1,), "Pad": (1, 3), "TopK": (1,),
    "Resize": (1, 2, 3), "Upsample": (1,), "Split": (1,),
    "CenterCropPad": (1,), "Trilu": (1,),
    # Not a shape, but it selects what the op computes.
    "Dropout": (1, 2),
    **{op: (1,) for op in _REDUCE_OPS},
}

# Models in libonnx-testdata that contradict their own expected outputs,
# with the attribute ONNX's later fix sets: test name -> (op type,
# attribute, value, where upstream says so). The runner tests the fixed
# model; the expected outputs are upstream's, unchanged.
MODEL_FIXES = {
    # The generator computes the outputs with epsilon=1e-2 but omits the
    # attribute from the node (onnx/onnx#7749, fixed by onnx/onnx#7763).
    "test_adam_multiple": ("Adam", "epsilon", 1e-2, "onnx/onnx#7749"),
}

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class Result:
    def __init__(self, name, status, reason="", ops=()):
        self.name = name
        self.status = status
        self.reason = reason
        self.ops = tuple(ops)
        self.frozen = []
        self.seconds = 0.0


def elem_type_name(elem_type):
    return TensorProto.DataType.Name(elem_type).lower()


def type_problem(value_info):
    """Why a graph input/output type cannot be run, or None."""
    t = value_info.type
    kind = t.WhichOneof("value")
    if kind != "tensor_type":
        return "unsupported type: " + (kind or "unknown").replace("_type", "")
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


_PATH_RE = re.compile(r"/(?:[^\s:'\"/()]+/)+([^\s:'\"/()]+)")
_MODEL_PREFIX_RE = re.compile(r"^(?:\S*model\.onnx|\S*\.ipuplan):\s*")


def error_line(text):
    """The most telling line of a tool's stderr: the first 'error' line, with
    file paths cut to their names (temporary paths would make the support
    doc differ from run to run)."""
    line = next((l for l in text.splitlines() if "error" in l.lower()), None)
    line = (line or first_line(text)).strip()
    line = _PATH_RE.sub(r"\1", line)
    return _MODEL_PREFIX_RE.sub("", line)


def _mentioned_op(line, op_types):
    """The first of the model's op types that `line` names as a word."""
    for op in sorted(op_types, key=len, reverse=True):
        if re.search(r"(?<![A-Za-z0-9_])" + re.escape(op) +
                     r"(?![A-Za-z0-9_])", line):
            return op
    return None


def skip_reason_from_error(message, op_types, strict=False):
    """Normalised skip reason if `message` says something is unsupported."""
    for kind, pattern in SKIP_PATTERNS:
        if not pattern.search(message):
            continue
        line = next((l for l in message.splitlines() if pattern.search(l)),
                    first_line(message))
        if kind == "op":
            # Name the op whatever the message format, so reasons group by op.
            op = _mentioned_op(line, op_types)
            return "unsupported op: " + (op or line)
        if kind == "dtype":
            m = re.search(r"\b(f16|bf16|f64|float64|double|u?int\d+|ui\d+|"
                          r"i\d+|string|complex\d*|bfloat16|float16)\b", line)
            return "unsupported dtype: " + (m.group(1) if m else line)
        return "unsupported: " + line
    if strict:
        return None
    line = next((l for l in message.splitlines() if FEATURE_PATTERN.search(l)),
                None)
    if line is None:
        return None
    # "<file>: node 'n' (Op): error: ONNX node 'n' (Op): <what>" -> "Op: <what>"
    m = re.search(r"\((\w+)\):\s*(?!.*\(\w+\):)(.*)$", line)
    if m:
        return f"unsupported feature: {m.group(1)}: {m.group(2).strip()}"
    return "unsupported feature: " + line


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


def shape_inputs(graph, inputs):
    """Indices (into `inputs`) of graph inputs that feed a SHAPE_SLOTS slot."""
    slot_names = set()
    for node in graph.node:
        for slot in SHAPE_SLOTS.get(node.op_type, ()):
            if slot < len(node.input) and node.input[slot]:
                slot_names.add(node.input[slot])
    return [i for i, vi in enumerate(inputs) if vi.name in slot_names]


def freeze_inputs(model, inputs, frozen, ds_dir, path):
    """Writes a copy of `model` whose `frozen` inputs are initializers holding
    the data set's values."""
    frozen_model = onnx.ModelProto()
    frozen_model.CopyFrom(model)
    graph = frozen_model.graph
    names = {inputs[i].name for i in frozen}
    kept = [vi for vi in graph.input if vi.name not in names]
    del graph.input[:]
    graph.input.extend(kept)
    for i in frozen:
        array = load_pb(os.path.join(ds_dir, f"input_{i}.pb"))
        graph.initializer.append(numpy_helper.from_array(array, inputs[i].name))
    onnx.save(frozen_model, path)


def apply_model_fix(model, fix):
    """Sets the MODEL_FIXES attribute on every node of the fix's op type."""
    op_type, attr, value, _ = fix
    for node in model.graph.node:
        if node.op_type == op_type and all(a.name != attr
                                           for a in node.attribute):
            node.attribute.append(helper.make_attribute(attr, value))


def import_check(args, model_path, op_types, deadline):
    """None if `ipuc --emit=tosa` accepts the model, else a SKIP/FAIL."""
    try:
        imp = run_tool([args.ipuc, model_path, "--emit=tosa"], deadline)
    except subprocess.TimeoutExpired:
        return FAIL, "ipuc --emit=tosa timed out"
    if imp.returncode == 0:
        return None
    message = imp.stderr + imp.stdout
    reason = skip_reason_from_error(message, op_types, args.strict)
    if reason:
        return SKIP, reason
    return FAIL, f"import failed (rc {imp.returncode}): {error_line(message)}"


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

    # Inputs that decide result shapes become constants of each data set.
    frozen = [] if args.no_freeze else shape_inputs(graph, inputs)
    fed = [i for i in range(len(inputs)) if i not in frozen]

    def result(status, reason=""):
        r = Result(name, status, reason, op_types)
        r.frozen = [inputs[i].name for i in frozen]
        return r

    work = tempfile.mkdtemp(prefix=f"ipuc-{name}-")
    try:
        if name in MODEL_FIXES:
            apply_model_fix(model, MODEL_FIXES[name])
            model_path = os.path.join(work, "fixed_model.onnx")
            onnx.save(model, model_path)
        plan = None
        for ds in data_sets:
            ds_dir = os.path.join(test_dir, ds)
            # A model with frozen inputs is a different model per data set.
            if plan is None or frozen:
                ds_model = model_path
                if frozen:
                    ds_model = os.path.join(work, f"{ds}_model.onnx")
                    freeze_inputs(model, inputs, frozen, ds_dir, ds_model)

                # 2. Import: unsupported ops and dtypes are skips.
                outcome = import_check(args, ds_model, op_types, deadline)
                if outcome:
                    return result(*outcome)

                # 3. Compile for the device.
                plan = os.path.join(work, f"{ds}.ipuplan")
                try:
                    comp = run_tool([args.ipuc, ds_model, "-o", plan,
                                     f"--target={args.target}"], deadline)
                except subprocess.TimeoutExpired:
                    return result(FAIL, "ipuc timed out")
                m = IPU_UNSUPPORTED.search(comp.stderr)
                if comp.returncode != 0 and m:
                    # The partitioner's deliberate limits: skipped with
                    # reason, or failures under --no-ipu-skips.
                    status = FAIL if args.no_ipu_skips else SKIP
                    return result(status, f"ipu target: {m.group(1)}")
                if comp.returncode != 0 or not os.path.exists(plan):
                    return result(FAIL, f"compile failed (rc "
                                  f"{comp.returncode}): "
                                  f"{error_line(comp.stderr + comp.stdout)}")

            # 4. Run and compare.
            cmd = [args.ipu_run, plan, f"--device={args.device}", "--quiet"]
            for i in fed:
                pb = os.path.join(ds_dir, f"input_{i}.pb")
                if not os.path.exists(pb):
                    return result(FAIL, f"{ds}: missing {pb}")
                npy = os.path.join(work, f"{ds}_input_{i}.npy")
                np.save(npy, load_pb(pb))
                cmd += ["--input", f"{inputs[i].name}=@{npy}"]
            out_dir = os.path.join(work, f"{ds}_out")
            os.makedirs(out_dir)
            cmd += ["--output-dir", out_dir]
            try:
                run = run_tool(cmd, deadline)
            except subprocess.TimeoutExpired:
                return result(FAIL, f"{ds}: ipu-run timed out")
            if run.returncode != 0:
                return result(FAIL, f"{ds}: ipu-run failed (rc "
                              f"{run.returncode}): "
                              f"{error_line(run.stderr + run.stdout)}")
            for i, vo in enumerate(graph.output):
                expected = load_pb(os.path.join(ds_dir, f"output_{i}.pb"))
                # ipu-run writes '/' in output names as '_'.
                got_path = os.path.join(
                    out_dir, vo.name.replace("/", "_") + ".npy")
                if not os.path.exists(got_path):
                    return result(FAIL, f"{ds}: ipu-run wrote no "
                                  f"'{vo.name}.npy'")
                try:
                    actual = np.load(got_path, allow_pickle=False)
                except Exception as e:  # pylint: disable=broad-except
                    return result(FAIL, f"{ds}: cannot read "
                                  f"'{vo.name}.npy': {e}")
                problem = compare(vo.name, actual, expected)
                if problem:
                    return result(FAIL, f"{ds}: {problem}")
        return result(PASS)
    finally:
        if args.keep_temps:
            print(f"[{name}] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def para(text):
    return textwrap.wrap(text, 79, break_long_words=False,
                         break_on_hyphens=False)


def wrap_names(names):
    """`a`, `b`, ... wrapped at 79 columns, one test name never split."""
    return textwrap.wrap(", ".join(f"`{n}`" for n in names), 79,
                         break_long_words=False, break_on_hyphens=False)


def md_cell(text):
    return text.replace("|", "\\|")


def write_support_doc(path, results, command, data_dir):
    passed = sorted(r.name for r in results if r.status == PASS)
    failed = sorted((r for r in results if r.status == FAIL),
                    key=lambda r: r.name)
    skipped = [r for r in results if r.status == SKIP]
    frozen_count = sum(1 for r in results if r.status == PASS and r.frozen)
    by_reason = collections.defaultdict(list)
    for r in skipped:
        by_reason[r.reason].append(r.name)

    lines = [
        "# ONNX operator support",
        "",
        "<!-- Generated by test/onnx/run_node_tests.py; do not edit by hand. -->",
        "",
        *para("This page is generated by the ONNX conformance runner, which "
              "compiles and runs ONNX's own backend node tests (Debian's "
              f"`libonnx-testdata`, `{data_dir}`) on the host device and "
              "compares every output with the expected one (rtol "
              f"{RTOL:g}, atol {ATOL:g}; integers and booleans exactly). "
              "Regenerate it from the repository root, after building, "
              "with"),
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
        *para("A test is *skipped* when its model uses an op, a dtype or a "
              "value type ipuc does not support yet, or a form of a "
              "supported op the importer rejects by name (\"unsupported "
              "feature\": an attribute value, a rank, an input that must be "
              "constant); every other test must pass. `--strict` counts "
              "the unsupported features as failures instead."),
        "",
        *para("ipuc compiles static shapes: graph inputs that decide a "
              "result's shape (Reshape's `shape`, Slice's `starts`/`ends`/"
              "`axes`/`steps`, Squeeze/Unsqueeze `axes`, Expand's `shape`, "
              "OneHot's `depth`, ...; also Dropout's `ratio` and "
              "`training_mode`) are compiled in as constants holding "
              "the test data's values; the other inputs are fed at run "
              f"time. {frozen_count} of the passing tests ran this way."),
        "",
        *para("Models that contradict their own expected outputs run with "
              "the attribute ONNX's later fix adds: " + "; ".join(
                  f"`{name}` with {op}'s `{attr}` = {value:g} ({ref})"
                  for name, (op, attr, value, ref) in
                  sorted(MODEL_FIXES.items())) + "."),
        "",
        *para("The ctest `onnx_node_tests_sim` runs the same tests compiled "
              "for the partitioned ipu target (`--device sim`) on the "
              "simulator and requires every test passing here to pass there "
              "too: a model the partitioner rejects is a failure there, not "
              "a skip."),
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
    lines += textwrap.wrap("Ops exercised by passing tests: " + ", ".join(
        f"`{op}`" for op in sorted(ops_passing)) + ".", 79) + [""]
    lines += wrap_names(passed)
    lines += ["", f"## Skipped tests ({len(skipped)}), by reason", ""]

    def reason_key(item):
        return (-len(item[1]), item[0])

    lines += ["| reason | tests |", "|---|---:|"]
    for reason, names in sorted(by_reason.items(), key=reason_key):
        lines.append(f"| {md_cell(reason)} | {len(names)} |")
    lines.append("")
    for reason, names in sorted(by_reason.items(), key=reason_key):
        lines += [f"### {reason}", ""] + wrap_names(sorted(names)) + [""]
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
    parser.add_argument("--no-ipu-skips", dest="no_ipu_skips",
                        action="store_true",
                        help="a model the ipu target's partitioner rejects "
                             "fails instead of being skipped, so every test "
                             "that runs on the host must run on the sim")
    parser.add_argument("--write-support-doc", metavar="FILE", default=None)
    parser.add_argument("--keep-temps", action="store_true")
    parser.add_argument("--strict", action="store_true",
                        help="count the importer's 'X is not supported' limits "
                        "on supported ops as failures, not skips")
    parser.add_argument("--no-freeze", dest="no_freeze", action="store_true",
                        help="feed shape-deciding inputs (Reshape's shape, "
                        "...) at run time instead of as constants")
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
