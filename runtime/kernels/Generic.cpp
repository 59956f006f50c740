//===- Generic.cpp - Loop-nest driver of the Generic interpreter ----------===//
//
// The loop nest (canonicalLoopNest: unit dimensions dropped, contiguous runs
// merged) is walked with its lane dimensions innermost and processed kChunk
// lanes at a time: operands are gathered into registers, each instruction
// runs over the whole chunk, and yields are scattered back. Lanes run along
// one dimension (strided loads) or over a block of dimensions (a table of
// offsets per operand, built once per box for blocks of up to kMaxTableLanes
// lanes, or strided loads for an operand the block walks evenly). All other
// dimensions, reductions included, are walked in their original order, so
// every output element sees its reduction iterations sequentially and in
// order; it re-reads its running value from the output tensor each time,
// which is linalg's accumulator semantics.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"
#include "ThreadParts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>

namespace ipuc::kernels {

using namespace detail;

namespace {

struct Plan {
  const GenericArgs *args;
  LoopNest nest;
  int rank;
  std::vector<StridedOperand> ops; // inputs then outputs, over the nest
  size_t nin;
  std::vector<uint8_t> invariant; // per instruction
};

bool isReduction(const Plan &p, int d) { return p.nest.reduction[d]; }

/// The most lanes of a block whose offsets runBox tabulates once per box.
constexpr int64_t kMaxTableLanes = 4096;

/// The lanes of one chunk over a block of lane dimensions: per operand, the
/// element offset of each lane, walking the block's odometer from lane
/// `first` (last dimension fastest) within the box's extents, operand k's
/// into offsets[k * rowStride ...]. The innermost dimension is written as
/// runs of evenly spaced offsets, which vectorise.
void blockOffsets(const Plan &p, const std::vector<int64_t> &begin,
                  const std::vector<int64_t> &end, const int64_t *base,
                  int64_t first, int64_t n, int64_t *offsets,
                  int64_t rowStride) {
  const std::vector<int> &dims = p.nest.laneDims;
  const size_t nops = p.ops.size(), nd = dims.size();
  int64_t extent[kMaxLaneDims], start[kMaxLaneDims];
  int64_t rest = first;
  for (size_t b = nd; b-- > 0;) {
    extent[b] = end[dims[b]] - begin[dims[b]];
    start[b] = rest % extent[b];
    rest /= extent[b];
  }
  const size_t last = nd - 1;
  for (size_t k = 0; k < nops; ++k) {
    int64_t stride[kMaxLaneDims], c[kMaxLaneDims];
    int64_t off = base[k];
    for (size_t b = 0; b < nd; ++b) {
      stride[b] = p.ops[k].strides[dims[b]];
      c[b] = start[b];
      off += c[b] * stride[b];
    }
    int64_t *out = offsets + k * rowStride;
    const int64_t inner = stride[last];
    for (int64_t i = 0; i < n;) {
      int64_t run = std::min<int64_t>(n - i, extent[last] - c[last]);
      for (int64_t j = 0; j < run; ++j)
        out[i + j] = off + j * inner;
      i += run;
      off += run * inner;
      c[last] += run;
      // Carry into the outer block dimensions.
      for (size_t b = last; c[b] == extent[b] && b > 0; --b) {
        off += stride[b - 1] - stride[b] * extent[b];
        c[b] = 0;
        ++c[b - 1];
      }
    }
  }
}

/// Runs the sub-box [begin, end) of the iteration space on one thread.
bool runBox(const Plan &p, const std::vector<int64_t> &begin,
            const std::vector<int64_t> &end, std::string &error) {
  const GenericArgs &a = *p.args;
  for (int d = 0; d < p.rank; ++d)
    if (begin[d] >= end[d])
      return true;
  const size_t nops = p.ops.size(), nout = a.outputs.size();
  const std::vector<int> &lanes = p.nest.laneDims;
  // One lane dimension: strided loads along it. A block: offset tables.
  const int c = lanes.size() == 1 ? lanes[0] : -1;
  const bool block = lanes.size() > 1;
  std::vector<uint8_t> isLane(p.rank, 0);
  int64_t laneCount = 1;
  for (int d : lanes) {
    isLane[d] = 1;
    laneCount *= end[d] - begin[d];
  }
  // A block too large for one offset table is walked in tiles of its
  // outermost lane dimension, the tiles stepped through like a dimension
  // outside the block, so that one table serves them all (a last, partial
  // tile uses its prefix). Lanes are distinct output elements of parallel
  // dimensions, so, as with the thread split, every output element still
  // sees its own iterations in order.
  int tileDim = -1;
  int64_t tile = 1, tileLanes = 1;
  std::vector<int64_t> tableEnd(end);
  if (block && laneCount > kMaxTableLanes) {
    const int outer = lanes[0];
    const int64_t inner = laneCount / (end[outer] - begin[outer]);
    if (inner <= kMaxTableLanes) {
      tileDim = outer;
      tile = kMaxTableLanes / inner;
      tileLanes = inner;
      tableEnd[outer] = begin[outer] + tile;
      isLane[outer] = 0;
      laneCount = tile * inner;
    }
  }
  std::unique_ptr<uint8_t[]> regs(new uint8_t[a.numRegisters * kRegBytes]());
  std::unique_ptr<uint8_t[]> yields(new uint8_t[std::max<size_t>(nout, 1) *
                                                kRegBytes]());
  // A block's lane offsets relative to the chunk base are the same in every
  // iteration of the other dimensions, so for a block of up to
  // kMaxTableLanes lanes they are computed once per box (table) rather than
  // for every chunk; an operand whose offsets over the whole block are evenly
  // spaced (laneStride) is loaded and stored as a strided run instead, which
  // vectorises. Larger blocks (whose inner lane dimensions alone exceed a
  // table) compute each chunk's offsets as it comes.
  const bool tabled = block && laneCount <= kMaxTableLanes;
  std::vector<int64_t> table;
  std::vector<uint8_t> linear(nops, 0);
  std::vector<int64_t> laneStride(nops, 0);
  if (tabled) {
    table.resize(nops * laneCount);
    std::vector<int64_t> zero(nops, 0);
    blockOffsets(p, begin, tableEnd, zero.data(), 0, laneCount, table.data(),
                 laneCount);
    for (size_t k = 0; k < nops; ++k) {
      const int64_t *t = table.data() + k * laneCount;
      int64_t s = laneCount > 1 ? t[1] - t[0] : 0;
      bool even = true;
      for (int64_t l = 0; l < laneCount && even; ++l)
        even = t[l] == l * s;
      linear[k] = even;
      laneStride[k] = s;
    }
  }
  std::unique_ptr<int64_t[]> offsets(
      block && !tabled ? new int64_t[nops * kChunk] : nullptr);
  std::vector<bool> yielded(nout, false);
  // An output is stored straight from the register it yields when no later
  // instruction overwrites that register, as in the body compiler's
  // single-assignment programs; otherwise the yield copies the lanes aside.
  std::vector<int> direct(nout, -1);
  // The program, and the part of it left after the first chunk has
  // computed the invariant lanes.
  std::vector<const plan::Instr *> body, varying;
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    if (in.opcode() == plan::Opcode::Yield) {
      yielded[in.a()] = true;
      direct[in.a()] = in.b();
    } else {
      for (size_t j = 0; j < nout; ++j)
        if (direct[j] == int(in.dst()))
          direct[j] = -1;
    }
  }
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    if (in.opcode() == plan::Opcode::Yield && direct[in.a()] >= 0)
      continue;
    body.push_back(&in);
    if (!p.invariant[pc])
      varying.push_back(&in);
  }
  const std::vector<const plan::Instr *> *program = &body;

  std::vector<int64_t> idx(begin);
  ExecContext ctx;
  ctx.regs = regs.get();
  ctx.idx = idx.data();
  ctx.chunkDim = c;
  ctx.indexOrigin = a.indexOrigin.empty() ? nullptr : a.indexOrigin.data();
  ctx.captured = &a.captured;

  std::vector<int64_t> base(nops);
  while (true) {
    const int64_t lanesHere =
        tileDim < 0 ? laneCount
                    : std::min(tile, end[tileDim] - idx[tileDim]) * tileLanes;
    for (int64_t first = 0; first < lanesHere; first += kChunk) {
      const int n =
          static_cast<int>(std::min<int64_t>(kChunk, lanesHere - first));
      if (c >= 0)
        idx[c] = begin[c] + first;
      ctx.n = n;
      for (size_t k = 0; k < nops; ++k) {
        const StridedOperand &o = p.ops[k];
        int64_t off = o.offset;
        for (int d = 0; d < p.rank; ++d)
          off += idx[d] * o.strides[d];
        base[k] = off;
      }
      if (block && !tabled)
        blockOffsets(p, begin, end, base.data(), first, n, offsets.get(),
                     kChunk);
      for (size_t k = 0; k < nops; ++k) {
        const StridedOperand &o = p.ops[k];
        uint8_t *reg = ctx.regs + k * kRegBytes;
        if (!block)
          loadLanes(o.data, o.dtype, base[k], c >= 0 ? o.strides[c] : 0, n,
                    reg);
        else if (!tabled)
          loadLanesAt(o.data, o.dtype, 0, offsets.get() + k * kChunk, n, reg);
        else if (linear[k])
          loadLanes(o.data, o.dtype, base[k] + first * laneStride[k],
                    laneStride[k], n, reg);
        else
          loadLanesAt(o.data, o.dtype, base[k],
                      table.data() + k * laneCount + first, n, reg);
      }
      for (const plan::Instr *in : *program) {
        if (in->opcode() == plan::Opcode::Yield) {
          std::memcpy(yields.get() + in->a() * kRegBytes,
                      ctx.regs + in->b() * kRegBytes, size_t(n) * 8);
          continue;
        }
        if (!execInstr(*in, ctx, error))
          return false;
      }
      program = &varying;
      for (size_t j = 0; j < nout; ++j) {
        if (!yielded[j])
          continue;
        const StridedOperand &o = p.ops[p.nin + j];
        const uint8_t *reg = direct[j] >= 0 ? ctx.regs + direct[j] * kRegBytes
                                            : yields.get() + j * kRegBytes;
        const size_t k = p.nin + j;
        if (!block)
          storeLanes(o.data, o.dtype, base[k], c >= 0 ? o.strides[c] : 0, n,
                     reg);
        else if (!tabled)
          storeLanesAt(o.data, o.dtype, 0, offsets.get() + k * kChunk, n, reg);
        else if (linear[k])
          storeLanes(o.data, o.dtype, base[k] + first * laneStride[k],
                     laneStride[k], n, reg);
        else
          storeLanesAt(o.data, o.dtype, base[k],
                       table.data() + k * laneCount + first, n, reg);
      }
    }
    // Advance the odometer over the non-lane dimensions (and the tiles).
    int d = p.rank - 1;
    for (; d >= 0; --d) {
      if (isLane[d])
        continue;
      if ((idx[d] += d == tileDim ? tile : 1) < end[d])
        break;
      idx[d] = begin[d];
    }
    if (d < 0)
      return true;
  }
}

} // namespace

bool runGeneric(const GenericArgs &args, std::string &error) {
  if (args.numRegisters < args.inputs.size() + args.outputs.size()) {
    error = "generic kernel has fewer registers than operands";
    return false;
  }
  int64_t points = 1;
  for (int64_t b : args.bounds) {
    if (b <= 0)
      return true;
    points *= b;
  }
  Plan p;
  p.args = &args;
  p.nest = canonicalLoopNest(args);
  p.rank = static_cast<int>(p.nest.bounds.size());
  p.nin = args.inputs.size();
  for (const auto &o : args.inputs)
    p.ops.push_back(o);
  for (const auto &o : args.outputs)
    p.ops.push_back(o);
  for (size_t k = 0; k < p.ops.size(); ++k)
    p.ops[k].strides = p.nest.strides[k].data();
  p.invariant = invariantInstructions(args, p.nest);

  const std::vector<int64_t> &bounds = p.nest.bounds;
  std::vector<int64_t> begin(p.rank, 0), end(bounds);
  // Split the outermost parallel dimension across threads when the loop is
  // big enough to pay for starting one; outputs must move along it so the
  // threads write disjoint elements.
  int threads = args.numThreads > 0
                    ? args.numThreads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int64_t work = points * static_cast<int64_t>(args.programSize + p.ops.size());
  int split = -1;
  if (threads > 1 && work >= (int64_t(1) << 17))
    for (int d = 0; d < p.rank && split < 0; ++d) {
      if (isReduction(p, d) || bounds[d] < 2)
        continue;
      bool moves = true;
      for (size_t j = 0; j < args.outputs.size(); ++j)
        moves &= p.ops[p.nin + j].strides[d] != 0;
      if (moves)
        split = d;
    }
  if (split < 0)
    return runBox(p, begin, end, error);

  threads = static_cast<int>(std::min<int64_t>(threads, bounds[split]));
  return runThreadParts(
      threads,
      [&](int t, std::string &partError) {
        std::vector<int64_t> b(begin), e(end);
        int64_t len = bounds[split];
        b[split] = len * t / threads;
        e[split] = len * (t + 1) / threads;
        return runBox(p, b, e, partError);
      },
      error);
}

} // namespace ipuc::kernels
