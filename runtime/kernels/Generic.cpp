//===- Generic.cpp - Loop-nest driver of the Generic interpreter ----------===//
//
// The loop nest is walked with one parallel dimension (the "chunk" dimension)
// innermost and processed kChunk iterations at a time: operands are gathered
// into registers, each instruction runs over the whole chunk, and yields are
// scattered back. All other dimensions, reductions included, are walked in
// their original order, so every output element sees its reduction
// iterations sequentially and in order; it re-reads its running value from
// the output tensor each time, which is linalg's accumulator semantics.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"

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
  int rank;
  int chunkDim;
  std::vector<const StridedOperand *> ops; // inputs then outputs
  size_t nin;
};

bool isReduction(const GenericArgs &a, int d) {
  return !a.reductionDims.empty() && a.reductionDims[d];
}

// A parallel dimension along which every output moves is safe to process as
// independent lanes (no two lanes write the same element); among those prefer
// one where the first output is contiguous, then the longest.
int pickChunkDim(const GenericArgs &a) {
  int best = -1;
  int64_t bestScore = -1;
  for (int d = 0; d < static_cast<int>(a.bounds.size()); ++d) {
    if (isReduction(a, d) || a.bounds[d] < 2)
      continue;
    bool moves = true;
    for (const auto &o : a.outputs)
      moves &= o.strides[d] != 0;
    if (!moves)
      continue;
    int64_t score = std::min<int64_t>(a.bounds[d], kChunk);
    if (!a.outputs.empty() && a.outputs[0].strides[d] == 1)
      score += 1 << 20;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/// Runs the sub-box [begin, end) of the iteration space on one thread.
bool runBox(const Plan &p, const std::vector<int64_t> &begin,
            const std::vector<int64_t> &end, std::string &error) {
  const GenericArgs &a = *p.args;
  if (p.rank > 0)
    for (int d = 0; d < p.rank; ++d)
      if (begin[d] >= end[d])
        return true;
  const size_t nops = p.ops.size(), nout = a.outputs.size();
  const int c = p.chunkDim;
  std::unique_ptr<uint8_t[]> regs(new uint8_t[a.numRegisters * kRegBytes]());
  std::unique_ptr<uint8_t[]> yields(new uint8_t[std::max<size_t>(nout, 1) *
                                                kRegBytes]());
  std::vector<bool> yielded(nout, false);
  std::vector<const plan::Instr *> body;
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    if (in.opcode() == plan::Opcode::Yield)
      yielded[in.a()] = true;
    body.push_back(&in);
  }

  std::vector<int64_t> idx(begin);
  ExecContext ctx;
  ctx.regs = regs.get();
  ctx.idx = idx.data();
  ctx.chunkDim = c;
  ctx.indexOrigin = a.indexOrigin.empty() ? nullptr : a.indexOrigin.data();
  ctx.captured = &a.captured;

  std::vector<int64_t> base(nops);
  const int64_t cBegin = c >= 0 ? begin[c] : 0, cEnd = c >= 0 ? end[c] : 1;
  while (true) {
    for (int64_t cs = cBegin; cs < cEnd; cs += kChunk) {
      const int n = static_cast<int>(std::min<int64_t>(kChunk, cEnd - cs));
      if (c >= 0)
        idx[c] = cs;
      ctx.n = n;
      for (size_t k = 0; k < nops; ++k) {
        const StridedOperand &o = *p.ops[k];
        int64_t off = o.offset;
        for (int d = 0; d < p.rank; ++d)
          off += idx[d] * o.strides[d];
        base[k] = off;
        loadLanes(o.data, o.dtype, off, c >= 0 ? o.strides[c] : 0, n,
                  ctx.regs + k * kRegBytes);
      }
      for (const plan::Instr *in : body) {
        if (in->opcode() == plan::Opcode::Yield) {
          std::memcpy(yields.get() + in->a() * kRegBytes,
                      ctx.regs + in->b() * kRegBytes, kRegBytes);
          continue;
        }
        if (!execInstr(*in, ctx, error))
          return false;
      }
      for (size_t j = 0; j < nout; ++j) {
        if (!yielded[j])
          continue;
        const StridedOperand &o = a.outputs[j];
        storeLanes(o.data, o.dtype, base[p.nin + j], c >= 0 ? o.strides[c] : 0,
                   n, yields.get() + j * kRegBytes);
      }
    }
    // Advance the odometer over the non-chunk dimensions.
    int d = p.rank - 1;
    for (; d >= 0; --d) {
      if (d == c)
        continue;
      if (++idx[d] < end[d])
        break;
      idx[d] = begin[d];
    }
    if (d < 0)
      return true;
  }
}

} // namespace

bool runGeneric(const GenericArgs &args, std::string &error) {
  Plan p;
  p.args = &args;
  p.rank = static_cast<int>(args.bounds.size());
  p.nin = args.inputs.size();
  for (const auto &o : args.inputs)
    p.ops.push_back(&o);
  for (const auto &o : args.outputs)
    p.ops.push_back(&o);
  if (args.numRegisters < p.ops.size()) {
    error = "generic kernel has fewer registers than operands";
    return false;
  }
  int64_t points = 1;
  for (int64_t b : args.bounds) {
    if (b <= 0)
      return true;
    points *= b;
  }
  p.chunkDim = pickChunkDim(args);

  std::vector<int64_t> begin(p.rank, 0), end(args.bounds);
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
      if (isReduction(args, d) || args.bounds[d] < 2)
        continue;
      bool moves = true;
      for (const auto &o : args.outputs)
        moves &= o.strides[d] != 0;
      if (moves)
        split = d;
    }
  if (split < 0)
    return runBox(p, begin, end, error);

  threads = static_cast<int>(std::min<int64_t>(threads, args.bounds[split]));
  std::vector<std::string> errors(threads);
  std::vector<char> ok(threads, 1);
  std::vector<std::thread> pool;
  auto part = [&](int t) {
    std::vector<int64_t> b(begin), e(end);
    int64_t len = args.bounds[split];
    b[split] = len * t / threads;
    e[split] = len * (t + 1) / threads;
    ok[t] = runBox(p, b, e, errors[t]);
  };
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(part, t);
  part(0);
  for (auto &th : pool)
    th.join();
  for (int t = 0; t < threads; ++t)
    if (!ok[t]) {
      error = errors[t];
      return false;
    }
  return true;
}

} // namespace ipuc::kernels
