#!/usr/bin/python3
"""Writes examples/learned_opt.npz, the bundled weights of `--optimizer=learned`.

    /usr/bin/python3 examples/make_learned_opt.py [--out examples/learned_opt.npz]

The arrays are the MLP of optimizer.learned (see its description in
dialects/Optimizer/IR/OptimizerOps.td):

    decays  float64[D]       momentum decays, here (0.5, 0.9, 0.99)
    w1      float32[2+D, H]  features (grad, param, m_0.5, m_0.9, m_0.99) by
                             H = 8 hidden units
    b1      float32[H]
    w2      float32[H, 2]    hidden units by (direction, log-magnitude)
    b2      float32[2]

These weights are written by hand, not meta-trained: the hidden units come
in pairs relu(x), relu(-x) whose difference is x, so the direction is
exactly d = m_0.9 + 0.5 * m_0.99 + 0.25 * grad (each feature normalised by
its per-tensor RMS), a momentum rule with per-tensor step normalisation,
and the log-magnitude is 0. The parameter feature gets a pair of units with
zero output weight, so the file exercises every input of the MLP. With
--lr=0.001 (the default) it trains examples/mlp.onnx on
examples/mlp_train.npz (the loss falls; checked by
test/tools/ipu-run/learned_example.test). A meta-trained MLP of the same
shapes can replace it.
"""
import argparse
import os

import numpy as np

DECAYS = (0.5, 0.9, 0.99)
# (feature index in (grad, param, m_0.5, m_0.9, m_0.99), direction weight)
PAIRS = [(3, 1.0), (4, 0.5), (0, 0.25), (1, 0.0)]


def weights():
    features, hidden = 2 + len(DECAYS), 2 * len(PAIRS)
    w1 = np.zeros((features, hidden), np.float32)
    w2 = np.zeros((hidden, 2), np.float32)
    for k, (feature, weight) in enumerate(PAIRS):
        w1[feature, 2 * k], w1[feature, 2 * k + 1] = 1.0, -1.0
        w2[2 * k, 0], w2[2 * k + 1, 0] = weight, -weight
    return {"decays": np.array(DECAYS, np.float64), "w1": w1,
            "b1": np.zeros(hidden, np.float32), "w2": w2,
            "b2": np.zeros(2, np.float32)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "learned_opt.npz"))
    args = parser.parse_args()
    np.savez(args.out, **weights())


if __name__ == "__main__":
    main()
