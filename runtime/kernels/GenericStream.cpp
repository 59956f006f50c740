//===- GenericStream.cpp - Streaming path of the Generic interpreter ------===//
//
// See GenericStream.h. A range of lanes is cut into blocks of kStreamLanes;
// each block points the registers of in-place operands at the tensors,
// converts the others into scratch registers, runs the program over the block
// and stores the yields. The scratch registers are kStreamLanes 8-byte lanes
// plus one cache line apart: at the general driver's 2 KB spacing the float
// lanes of a body of a few dozen registers fall on half of the L1 sets, so
// they can evict each other between instructions.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/GenericStream.h"
#include "GenericInternal.h"
#include "ThreadParts.h"
#include "ipuc/plan/Plan.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <thread>

namespace ipuc::kernels {

using namespace detail;
using plan::DType;
using plan::Opcode;

namespace {

/// Lanes per block: enough that an instruction's dispatch is a small part of
/// its loop, few enough that a body's registers stay in L1.
constexpr int kStreamLanes = 256;
constexpr size_t kScratchStride = kStreamLanes * 8 + 64;
/// Rows shorter than this stay with the general driver, which puts several
/// rows into one chunk.
constexpr int64_t kMinRowLanes = 64;

const StridedOperand &operand(const GenericArgs &a, size_t k) {
  return k < a.inputs.size() ? a.inputs[k] : a.outputs[k - a.inputs.size()];
}

/// The bytes [lo, hi) operand k of `s` touches in `a`.
std::pair<uintptr_t, uintptr_t> span(const GenericStream &s,
                                     const GenericArgs &a, size_t k) {
  const GenericStream::Operand &o = s.ops[k];
  int64_t first = o.offset, last = o.offset;
  for (int64_t step :
       {o.rowStride * (s.rows - 1), o.laneStride * (s.rowLength - 1)})
    (step < 0 ? first : last) += step;
  const uintptr_t base = reinterpret_cast<uintptr_t>(operand(a, k).data);
  const size_t bytes = plan::dtypeSize(o.dtype);
  return {base + first * bytes, base + (last + 1) * bytes};
}

/// Whether input k and output operand j are the same elements of the same
/// storage.
bool samePlace(const GenericStream &s, const GenericArgs &a, size_t k,
               size_t j) {
  const GenericStream::Operand &x = s.ops[k], &y = s.ops[j];
  return operand(a, k).data == operand(a, j).data && x.dtype == y.dtype &&
         x.offset == y.offset && x.rowStride == y.rowStride &&
         x.laneStride == y.laneStride;
}

/// Whether no output shares a byte with another operand or a captured
/// tensor, except an input it updates in place (inPlaceOf). Otherwise a
/// block could read what an earlier block wrote, and the result would depend
/// on the block size.
bool outputsDisjoint(const GenericStream &s, const GenericArgs &a) {
  // Kept by the thread: the simulator checks this for every vertex it runs.
  thread_local std::vector<std::pair<uintptr_t, uintptr_t>> spans;
  spans.clear();
  for (size_t k = 0; k < s.ops.size(); ++k)
    spans.push_back(span(s, a, k));
  for (const CapturedTensor &c : a.captured) {
    int64_t n = 1;
    for (int64_t d : c.shape)
      n *= d;
    uintptr_t lo = reinterpret_cast<uintptr_t>(c.data);
    spans.push_back({lo, lo + n * plan::dtypeSize(c.dtype)});
  }
  for (size_t k = s.numInputs; k < s.ops.size(); ++k)
    for (size_t j = 0; j < spans.size(); ++j)
      if (j != k && spans[k].first < spans[j].second &&
          spans[j].first < spans[k].second &&
          !(j < s.numInputs && s.ops[j].inPlaceOf == int(k) &&
            samePlace(s, a, j, k)))
        return false;
  return true;
}

/// Whether every register an instruction reads is an operand or written by
/// an earlier instruction: otherwise a block would see the previous block's
/// lanes and the result would depend on where blocks start.
bool readsOnlyDefined(const GenericArgs &a, size_t nops,
                      std::vector<uint8_t> &read) {
  std::vector<uint8_t> defined(a.numRegisters, 0);
  std::fill(defined.begin(), defined.begin() + nops, 1);
  auto use = [&](unsigned r) {
    if (r >= a.numRegisters || !defined[r])
      return false;
    read[r] = 1;
    return true;
  };
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    const Opcode op = in.opcode();
    if (op == Opcode::Index)
      return false;
    if (op == Opcode::Yield) {
      if (in.a() >= a.outputs.size() || !use(in.b()))
        return false;
      continue;
    }
    if (op == Opcode::Extract) {
      if (in.a() >= a.captured.size())
        return false;
      for (size_t d = 0; d < a.captured[in.a()].shape.size(); ++d)
        if (!use(in.b() + d))
          return false;
    } else {
      const unsigned sources[3] = {in.a(), in.b(), in.c()};
      for (int i = 0; i < sourceCount(op); ++i)
        if (!use(sources[i]))
          return false;
    }
    if (in.dst() >= a.numRegisters)
      return false;
    defined[in.dst()] = 1;
  }
  return true;
}

/// The scratch of the calling thread, kept between runs.
uint8_t *threadScratch(size_t bytes) {
  thread_local std::vector<uint8_t> scratch;
  if (scratch.size() < bytes + 64)
    scratch.resize(bytes + 64);
  uintptr_t p = reinterpret_cast<uintptr_t>(scratch.data());
  return reinterpret_cast<uint8_t *>((p + 63) & ~uintptr_t(63));
}

/// Runs rows [row0, row1) over lanes [lane0, lane1) of each.
bool runRange(const GenericStream &s, const GenericArgs &a, int64_t row0,
              int64_t row1, int64_t lane0, int64_t lane1, std::string &error) {
  const size_t nops = s.ops.size(), nin = s.numInputs;
  const size_t nout = nops - nin;
  uint8_t *scratch = threadScratch((a.numRegisters + nout) * kScratchStride);
  // Register pointers and lane widths, kept by the thread (runRange does not
  // call itself): a warm thread runs a small kernel without allocating.
  thread_local std::vector<uint8_t *> reg;
  thread_local std::vector<uint8_t> laneBytes;
  reg.resize(a.numRegisters);
  for (size_t r = 0; r < reg.size(); ++r)
    reg[r] = scratch + r * kScratchStride;
  auto aside = [&](size_t j) {
    return scratch + (a.numRegisters + j) * kScratchStride;
  };
  // Lane bytes of each register as it is read: a register pointed at an f32
  // tensor holds 4-byte lanes, every other one 8-byte lanes.
  laneBytes.assign(a.numRegisters, 8);
  for (size_t k = 0; k < nops; ++k)
    if (s.ops[k].direct)
      laneBytes[k] = plan::dtypeSize(s.ops[k].dtype);

  ExecContext ctx;
  ctx.reg = reg.data();
  ctx.captured = &a.captured;
  bool firstBlock = true;
  for (int64_t row = row0; row < row1; ++row)
    for (int64_t start = lane0; start < lane1; start += kStreamLanes) {
      const int n =
          static_cast<int>(std::min<int64_t>(kStreamLanes, lane1 - start));
      for (size_t k = 0; k < nops; ++k) {
        const GenericStream::Operand &o = s.ops[k];
        if (!o.load || (o.once && !firstBlock))
          continue;
        void *data = operand(a, k).data;
        const int64_t off = o.offset + row * o.rowStride + start * o.laneStride;
        if (o.direct)
          reg[k] = static_cast<uint8_t *>(data) +
                   off * static_cast<int64_t>(laneBytes[k]);
        else
          loadLanes(data, o.dtype, off, o.laneStride, n, reg[k]);
      }
      ctx.n = n;
      for (uint32_t pc : firstBlock ? s.first : s.rest) {
        const plan::Instr &in = a.program[pc];
        if (in.opcode() == Opcode::Yield)
          std::memcpy(aside(in.a()), reg[in.b()],
                      size_t(n) * laneBytes[in.b()]);
        else if (!execInstr(in, ctx, error))
          return false;
      }
      firstBlock = false;
      for (size_t j = 0; j < nout; ++j) {
        const int32_t from = s.storeFrom[j];
        if (from == -2)
          continue;
        const GenericStream::Operand &o = s.ops[nin + j];
        storeLanes(operand(a, nin + j).data, o.dtype,
                   o.offset + row * o.rowStride + start * o.laneStride,
                   o.laneStride, n, from >= 0 ? reg[from] : aside(j));
      }
    }
  return true;
}

} // namespace

std::optional<GenericStream> planGenericStream(const GenericArgs &a) {
  const size_t nin = a.inputs.size(), nops = nin + a.outputs.size();
  if (a.numRegisters < nops || a.outputs.empty())
    return std::nullopt;
  for (int64_t b : a.bounds)
    if (b <= 0)
      return std::nullopt;
  std::vector<uint8_t> read(a.numRegisters, 0);
  if (!readsOnlyDefined(a, nops, read))
    return std::nullopt;
  const LoopNest nest = canonicalLoopNest(a);
  const size_t rank = nest.bounds.size();
  if (rank > 2 || std::count(nest.reduction.begin(), nest.reduction.end(), 1))
    return std::nullopt;

  GenericStream s;
  s.numInputs = nin;
  if (rank == 2) {
    s.rows = nest.bounds[0];
    s.rowLength = nest.bounds[1];
    if (s.rowLength < kMinRowLanes)
      return std::nullopt;
  } else if (rank == 1) {
    s.rowLength = nest.bounds[0];
  }
  std::vector<int> writes(a.numRegisters, 0);
  for (size_t pc = 0; pc < a.programSize; ++pc)
    if (a.program[pc].opcode() != Opcode::Yield)
      ++writes[a.program[pc].dst()];
  for (size_t k = 0; k < nops; ++k) {
    const StridedOperand &src = operand(a, k);
    GenericStream::Operand o;
    o.dtype = src.dtype;
    o.offset = src.offset;
    o.laneStride = rank ? nest.strides[k][rank - 1] : 0;
    o.rowStride = rank == 2 ? nest.strides[k][0] : 0;
    if (o.laneStride != 0 && o.laneStride != 1)
      return std::nullopt;
    // Outputs write distinct elements: every lane and every row its own.
    if (k >= nin && ((s.rowLength > 1 && o.laneStride != 1) ||
                     (s.rows > 1 && std::abs(o.rowStride) < s.rowLength)))
      return std::nullopt;
    o.load = read[k];
    // Not outputs: a later output's yield may read an earlier output's
    // initial value after the earlier one was stored.
    o.direct = k < nin && o.load && writes[k] == 0 && o.laneStride == 1 &&
               (o.dtype == DType::F32 || o.dtype == DType::I64);
    o.once = k < nin && writes[k] == 0 && o.laneStride == 0 && o.rowStride == 0;
    s.ops.push_back(o);
  }
  // An input updated in place by an output is loaded into scratch: an
  // earlier output's store must not change what a later yield reads.
  for (size_t k = 0; k < nin; ++k)
    for (size_t j = nin; j < nops && s.ops[k].inPlaceOf < 0; ++j)
      if (samePlace(s, a, k, j)) {
        s.ops[k].inPlaceOf = static_cast<int>(j);
        s.ops[k].direct = false;
      }
  if (!outputsDisjoint(s, a))
    return std::nullopt;

  // As the general driver: an output is stored from the register it yields
  // unless a later instruction overwrites it, when the yield copies it aside.
  s.storeFrom.assign(a.outputs.size(), -2);
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    if (in.opcode() == Opcode::Yield)
      s.storeFrom[in.a()] = in.b();
    else
      for (int32_t &from : s.storeFrom)
        if (from == int32_t(in.dst()))
          from = -1;
  }
  const std::vector<uint8_t> invariant = invariantInstructions(a, nest);
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    if (in.opcode() == Opcode::Yield && s.storeFrom[in.a()] >= 0)
      continue;
    s.first.push_back(pc);
    if (!invariant[pc])
      s.rest.push_back(pc);
  }
  return s;
}

bool runGenericStream(const GenericStream &s, const GenericArgs &a,
                      std::string &error) {
  if (!outputsDisjoint(s, a))
    return runGeneric(a, error);
  // Split rows, or the lanes of one row, over threads as the general driver
  // does: when the loop is big enough to pay for starting them.
  int threads =
      a.numThreads > 0
          ? a.numThreads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t points = s.rows * s.rowLength;
  const int64_t work =
      points * static_cast<int64_t>(a.programSize + s.ops.size());
  if (threads <= 1 || work < (int64_t(1) << 17))
    return runRange(s, a, 0, s.rows, 0, s.rowLength, error);
  const bool byRows = s.rows > 1;
  const int64_t len = byRows ? s.rows : s.rowLength;
  threads = static_cast<int>(std::min<int64_t>(threads, len));
  return runThreadParts(
      threads,
      [&](int t, std::string &partError) {
        const int64_t lo = len * t / threads, hi = len * (t + 1) / threads;
        return byRows ? runRange(s, a, lo, hi, 0, s.rowLength, partError)
                      : runRange(s, a, 0, 1, lo, hi, partError);
      },
      error);
}

} // namespace ipuc::kernels
