"""Inputs and reference results for e2e_model.mlir, in pure Python (the test
machine need not have NumPy): `gen DIR` writes the inputs, `check DIR OUT`
compares ipu-run's outputs with values computed here."""
import ast, math, os, struct, sys

CODES = {"<f4": ("f", 4), "<i4": ("i", 4)}

def write_npy(path, descr, shape, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    fmt, _ = CODES[descr]
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))

def read_npy(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", path
    major = data[6]
    hlen, start = (struct.unpack("<H", data[8:10])[0], 10) if major == 1 else (struct.unpack("<I", data[8:12])[0], 12)
    header = ast.literal_eval(data[start:start + hlen].decode())
    fmt, size = CODES[header["descr"]]
    body = data[start + hlen:]
    return list(header["shape"]), list(struct.unpack("<%d%s" % (len(body) // size, fmt), body))

X = [0.5, -1.0, 2.0, 3.0, -0.25, 1.5]          # 2x3
B = [0.1, 0.2, -0.3]                            # 1x3
W = [float(i) / 4 - 1 for i in range(12)]       # 1x3x4
IDS = [1, 0]                                    # 1x2

def expected():
    x = lambda i, j: X[i * 3 + j]
    out = {}
    out["act"] = [min(max(math.tanh(x(i, j) + B[j]), 0.0), 0.5) for i in range(2) for j in range(3)]
    out["mm"] = [sum(x(i, k) * W[k * 4 + n] for k in range(3)) for i in range(2) for n in range(4)]
    out["rmax"] = [max(X[0:3]), max(X[3:6])]
    out["xt"] = [x(i, j) for j in range(3) for i in range(2)]
    padded = [0.0] * 20
    for i in range(2):
        for j in range(3):
            padded[(i + 1) * 5 + j] = x(i, j)
    out["padded"] = padded
    out["cat"] = sum(([x(i, 0), x(i, 1), x(i, 2), x(i, 1), x(i, 2)] for i in range(2)), [])
    out["gathered"] = [x(r, j) for r in IDS for j in range(3)]
    out["scaled"] = [X[i] * (i + 1) for i in range(6)]
    return out

if sys.argv[1] == "gen":
    d = sys.argv[2]
    write_npy(os.path.join(d, "x.npy"), "<f4", [2, 3], X)
    write_npy(os.path.join(d, "b.npy"), "<f4", [1, 3], B)
    write_npy(os.path.join(d, "w.npy"), "<f4", [1, 3, 4], W)
    write_npy(os.path.join(d, "ids.npy"), "<i4", [1, 2], IDS)
else:
    bad = 0
    for name, want in sorted(expected().items()):
        _, got = read_npy(os.path.join(sys.argv[3], name + ".npy"))
        ok = len(got) == len(want) and all(
            abs(g - w) <= 1e-5 + 1e-4 * abs(w) for g, w in zip(got, want))
        print("%s %s" % (name, "ok" if ok else "MISMATCH got %s want %s" % (got, want)))
        bad += not ok
    sys.exit(1 if bad else 0)
