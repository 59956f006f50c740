//===- GenericLoopNest.cpp - The loop nest a Generic kernel walks ---------===//
//
// Fusion and the autodiff's reshapes leave loop nests such as
// [1, 32, 1, 16, 16, 2, 1, 1, 16, 2, 1, 1] (a max-pool gradient fused with a
// ReLU gradient): unit dimensions, runs of dimensions that every operand walks
// as one, and no single long dimension. The interpreter runs chunks of up to
// kChunk lanes, so on such a nest a chunk along any one dimension held 2 to
// 32 lanes and the per-chunk overhead (operand offsets, instruction dispatch)
// dominated the kernel.
//
// Two steps fix that without changing what is computed:
//  * unit dimensions are dropped and adjacent dimensions that every operand
//    steps through contiguously (stride[d] == stride[d + 1] * bounds[d + 1])
//    are merged: the same iteration order over fewer, longer dimensions;
//  * the lanes of a chunk run over one dimension or, when none is long enough,
//    a block of several, chosen by a small cost model that knows which
//    operands a block walks evenly (strided runs) and which need an offset
//    table.
// Lanes are always distinct output elements and every other dimension,
// reductions included, is walked in order, so each output element still sees
// its reduction iterations sequentially and in order.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"

#include <algorithm>
#include <numeric>

namespace ipuc::kernels::detail {

namespace {
bool readsLoopIndices(const GenericArgs &a) {
  for (size_t pc = 0; pc < a.programSize; ++pc)
    if (a.program[pc].opcode() == plan::Opcode::Index)
      return true;
  return false;
}

int64_t elementBytes(plan::DType dtype) {
  switch (dtype) {
  case plan::DType::F64:
  case plan::DType::I64:
    return 8;
  case plan::DType::F32:
  case plan::DType::I32:
    return 4;
  case plan::DType::F16:
  case plan::DType::BF16:
  case plan::DType::I16:
    return 2;
  case plan::DType::I1:
  case plan::DType::I8:
    return 1;
  }
  return 4;
}

/// The cost of one lane of an operand walked with `stride` elements of
/// `bytes` bytes, in units of a contiguous lane: a broadcast costs nothing, a
/// contiguous lane vectorises, lanes in one cache line share it, lanes further
/// apart each touch a line of their own and, a page or more apart, a TLB entry
/// of their own.
double laneCost(int64_t stride, int64_t bytes) {
  int64_t span = (stride < 0 ? -stride : stride) * bytes;
  if (span == 0)
    return 0;
  if (span == bytes)
    return 1;
  if (span < 64)
    return 2;
  return span < 4096 ? 4 : 8;
}

/// Whether lanes over `dims` write distinct elements of every output: each
/// output moves along each of them, and sorted by stride each dimension steps
/// past the whole extent of the ones below it.
bool distinctOutputs(const LoopNest &nest, const std::vector<int> &dims,
                     size_t firstOutput) {
  for (size_t k = firstOutput; k < nest.strides.size(); ++k) {
    std::vector<std::pair<int64_t, int64_t>> steps; // |stride|, bound
    for (int d : dims) {
      int64_t s = nest.strides[k][d];
      if (s == 0)
        return false;
      steps.push_back({s < 0 ? -s : s, nest.bounds[d]});
    }
    std::sort(steps.begin(), steps.end());
    for (size_t i = 1; i < steps.size(); ++i)
      if (steps[i].first < steps[i - 1].first * steps[i - 1].second)
        return false;
  }
  return true;
}

/// Picks the lane dimensions. A chunk pays a fixed overhead shared by its
/// lanes, and each lane pays every operand's laneCost along the dimension its
/// lanes step through. One dimension alone is the best candidate by
/// laneCost + overhead / lanes; a block adds dimensions cheapest first until it
/// fills a chunk, its lanes stepping through the innermost of them (the last in
/// nest order) and paying for an offset table per operand, and is taken when
/// that is cheaper.
std::vector<int> chooseLanes(const LoopNest &nest, const GenericArgs &a) {
  const size_t nops = nest.strides.size(), nin = a.inputs.size();
  std::vector<plan::DType> dtypes;
  for (const auto &o : a.inputs)
    dtypes.push_back(o.dtype);
  for (const auto &o : a.outputs)
    dtypes.push_back(o.dtype);
  const int rank = static_cast<int>(nest.bounds.size());
  const double overhead =
      4.0 * double(nops * std::max(rank, 1)) + 8.0 * double(a.programSize);
  auto costAlong = [&](int d) {
    double cost = 0;
    for (size_t k = 0; k < nops; ++k)
      cost += laneCost(nest.strides[k][d], elementBytes(dtypes[k]));
    return cost;
  };
  auto lanesOf = [&](int64_t lanes) {
    return double(std::min<int64_t>(lanes, kChunk));
  };
  std::vector<std::pair<double, int>> candidates;
  for (int d = 0; d < rank; ++d)
    if (!nest.reduction[d] && nest.bounds[d] >= 2 &&
        distinctOutputs(nest, {d}, nin))
      candidates.push_back({costAlong(d), d});
  if (candidates.empty())
    return {};
  int best = -1;
  double bestCost = 0;
  for (const auto &[cost, d] : candidates) {
    double total = cost + overhead / lanesOf(nest.bounds[d]);
    if (best < 0 || total < bestCost) {
      best = d;
      bestCost = total;
    }
  }
  if (nest.original)
    return {best};
  // A block's lanes step through its innermost dimension (the last in nest
  // order); an operand that walks the whole block evenly (each dimension's
  // stride spans the ones inside it) is loaded as one strided run, every
  // other operand through an offset table, which costs about half a
  // contiguous lane more.
  auto blockCost = [&](const std::vector<int> &dims, int64_t lanes) {
    double cost = costAlong(dims.back()) + overhead / lanesOf(lanes);
    for (size_t k = 0; k < nops; ++k)
      for (size_t b = 1; b < dims.size(); ++b)
        if (nest.strides[k][dims[b - 1]] !=
            nest.strides[k][dims[b]] * nest.bounds[dims[b]]) {
          cost += 0.5;
          break;
        }
    return cost;
  };
  std::vector<int> choice = {best};
  auto consider = [&](std::vector<int> block, int64_t lanes) {
    if (block.size() < 2)
      return;
    std::sort(block.begin(), block.end()); // lanes in the nest's own order
    double cost = blockCost(block, lanes);
    if (cost < bestCost) {
      bestCost = cost;
      choice = block;
    }
  };
  // Two blocks are tried: dimensions added cheapest first until they fill a
  // chunk, and the innermost dimensions of the nest, which walk a row-major
  // tensor evenly (a fused kernel mixing layouts, such as a pooling gradient
  // reading NHWC beside NCHW, then has most of its operands as strided runs).
  std::stable_sort(candidates.begin(), candidates.end());
  std::vector<int> block;
  int64_t lanes = 1;
  for (const auto &c : candidates) {
    if (lanes >= kChunk || block.size() == kMaxLaneDims)
      break;
    block.push_back(c.second);
    if (!distinctOutputs(nest, block, nin)) {
      block.pop_back();
      continue;
    }
    lanes *= nest.bounds[c.second];
  }
  consider(block, lanes);
  block.clear();
  lanes = 1;
  for (int d = rank - 1;
       d >= 0 && lanes < kChunk && block.size() < kMaxLaneDims; --d) {
    if (nest.reduction[d] || nest.bounds[d] < 2)
      break;
    block.push_back(d);
    if (!distinctOutputs(nest, block, nin)) {
      block.pop_back();
      break;
    }
    lanes *= nest.bounds[d];
  }
  consider(block, lanes);
  return choice;
}
} // namespace

LoopNest canonicalLoopNest(const GenericArgs &a) {
  const size_t rank = a.bounds.size();
  const size_t nops = a.inputs.size() + a.outputs.size();
  auto operand = [&](size_t k) -> const StridedOperand & {
    return k < a.inputs.size() ? a.inputs[k] : a.outputs[k - a.inputs.size()];
  };
  auto isReduction = [&](size_t d) {
    return !a.reductionDims.empty() && a.reductionDims[d];
  };
  LoopNest nest;
  // Index returns the indices of the loop dimensions as written, so a kernel
  // that reads them keeps its nest and runs its lanes along one dimension.
  nest.original = readsLoopIndices(a);
  nest.strides.resize(nops);
  for (size_t d = 0; d < rank; ++d) {
    if (!nest.original && a.bounds[d] == 1)
      continue;
    bool merge = !nest.original && !nest.bounds.empty() &&
                 nest.reduction.back() == uint8_t(isReduction(d));
    for (size_t k = 0; k < nops && merge; ++k)
      merge = nest.strides[k].back() == operand(k).strides[d] * a.bounds[d];
    if (merge) {
      nest.bounds.back() *= a.bounds[d];
      for (size_t k = 0; k < nops; ++k)
        nest.strides[k].back() = operand(k).strides[d];
      continue;
    }
    nest.bounds.push_back(a.bounds[d]);
    nest.reduction.push_back(isReduction(d));
    for (size_t k = 0; k < nops; ++k)
      nest.strides[k].push_back(operand(k).strides[d]);
  }
  nest.laneDims = chooseLanes(nest, a);
  return nest;
}

} // namespace ipuc::kernels::detail
