//===- RelocateComputeSet.cpp - A congruent compute set's body, moved -----===//
//
// The matmuls of a transformer's identical layers are the same vertices over
// the same activations and over weights that differ only in where they lie:
// each layer's weights have their own addresses, on the same tiles, in the
// same element ranges (StepMemo.h, congruenceClasses). Decoding one of
// them is most of a 12-layer encoder's decode; the others are its body with
// every operand pointer moved by its tensor's distance on the vertex's
// tile. The copy equals a fresh decode when every tensor moves by one
// distance per tile (so runs, blocks and strides keep their shape) and no
// two operands of a vertex that move apart come near each other, before or
// after the move: the in-place choices (InPlaceOperands.cpp) compare the
// pieces of operands whose spans meet, and two that move together keep
// them. Otherwise the step is decoded.
//
//===----------------------------------------------------------------------===//

#include "Decoder.h"

#include <limits>

namespace ipuc::sim::detail {

namespace {

constexpr int64_t kUnset = std::numeric_limits<int64_t>::min();
constexpr int64_t kMixed = std::numeric_limits<int64_t>::max();

} // namespace

bool Decoder::relocate(const Relocation &r, Scratch &s, std::string &error) {
  DecodedComputeSet &p = prog.computeSets[r.body];
  if (relocateComputeSet(prog.computeSets[r.fromBody], *r.from, *r.cs, p))
    return true;
  p = DecodedComputeSet();
  return decodeComputeSet(*r.cs, prog.computeSteps[r.step], p, s, error);
}

bool Decoder::relocateComputeSet(const DecodedComputeSet &from,
                                 const ComputeSet &fromTable,
                                 const ComputeSet &to,
                                 DecodedComputeSet &p) const {
  // Per pair of tensors (one of `from`, the one `to` has in its place): the
  // distance each tile's intervals move, kMixed where they move by several.
  struct Move {
    uint32_t a, b;
    std::vector<int64_t> byTile;
  };
  std::vector<Move> moves;
  auto distance = [&](uint32_t a, uint32_t b, uint32_t tile) {
    if (a == b ||
        (a < classes.size() && b < classes.size() && classes[a] == classes[b]))
      return int64_t(0);
    for (const Move &m : moves)
      if (m.a == a && m.b == b)
        return m.byTile[tile];
    const TensorLayout &la = layouts[a], &lb = layouts[b];
    Move m{a, b, std::vector<int64_t>(dev.totalTiles(), kUnset)};
    if (la.intervals.size() != lb.intervals.size())
      std::fill(m.byTile.begin(), m.byTile.end(), kMixed);
    else
      for (size_t i = 0; i < la.intervals.size(); ++i) {
        const Interval &x = la.intervals[i], &y = lb.intervals[i];
        int64_t &d = m.byTile[x.tile];
        int64_t here = static_cast<int64_t>(y.address - x.address);
        if (x.tile != y.tile || x.begin != y.begin || x.end != y.end)
          std::fill(m.byTile.begin(), m.byTile.end(), kMixed);
        else if (d == kUnset)
          d = here;
        else if (d != here)
          d = kMixed;
      }
    moves.push_back(std::move(m));
    return moves.back().byTile[tile];
  };

  p = from;
  p.relocated = true;
  std::vector<int64_t> moved;
  for (const TileTask &task : p.tasks)
    for (uint32_t vi = task.vertexBegin; vi < task.vertexEnd; ++vi) {
      DecodedVertex &dv = p.vertices[vi];
      const Vertex &va = *fromTable.vertices()->Get(dv.index);
      const Vertex &vb = *to.vertices()->Get(dv.index);
      dv.vertex = &vb;
      uint32_t nops = dv.operandEnd - dv.operandBegin;
      if (!va.operands() || !vb.operands() || va.operands()->size() != nops ||
          vb.operands()->size() != nops)
        return false;
      moved.assign(nops, 0);
      bool any = false;
      for (uint32_t k = 0; k < nops; ++k) {
        // Checked mode: every operand lies on the vertex's tile.
        int64_t d = distance(va.operands()->Get(k)->tensor(),
                             vb.operands()->Get(k)->tensor(), task.tile);
        if (d == kUnset || d == kMixed)
          return false;
        moved[k] = d;
        if (!d)
          continue;
        any = true;
        DecodedOperand &op = p.operands[dv.operandBegin + k];
        if (op.direct)
          op.data += d;
        else if (op.strided >= 0)
          p.strided[op.strided].src += d;
        p.runs.shift(op.runBegin, op.runEnd, d);
      }
      if (!any)
        continue;
      for (uint32_t i = 0; i < nops; ++i)
        for (uint32_t j = i + 1; j < nops; ++j) {
          if (moved[i] == moved[j])
            continue;
          auto spanIn = [&](const DecodedComputeSet &q, uint32_t k) {
            return operandSpan(q, q.operands[dv.operandBegin + k]);
          };
          if (spanIn(from, i).meets(spanIn(from, j)) ||
              spanIn(p, i).meets(spanIn(p, j)))
            return false;
        }
    }
  return true;
}

} // namespace ipuc::sim::detail
