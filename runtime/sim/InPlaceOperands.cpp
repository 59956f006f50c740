//===- InPlaceOperands.cpp - Which operands a vertex uses in tile memory --===//
//
// A vertex's kernel sees each operand box as a packed tensor. Packing costs a
// copy in (and, for a written operand, out) on every execution, so an
// operand is used where it lies in tile memory whenever that computes the
// same bytes: when the box is one contiguous run, or, for a MatMul matrix,
// rows at a fixed stride that the GEMM reads through its leading dimension.
// Either way no other operand of the vertex may overlap it where either of
// the two is written: packed copies never alias, so in place they must not
// either.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include "ipuc/kernels/MatMul.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace ipuc::sim {

using namespace plan;

namespace {

/// Calls f(ptr, bytes) for each contiguous piece of operand `o` in tile
/// memory (its runs, or the pieces of its strided gather).
template <typename F>
void forEachPiece(const DecodedComputeSet &p, const DecodedOperand &o, F &&f) {
  for (uint32_t r = o.runBegin; r < o.runEnd; ++r)
    f(static_cast<const uint8_t *>(p.runs.ptr(r)), p.runs.length(r));
  if (o.strided >= 0)
    p.strided[o.strided].forEachPiece(
        [&](const uint8_t *src, uint8_t *, uint64_t bytes) { f(src, bytes); });
}

} // namespace

OperandSpan operandSpan(const DecodedComputeSet &p, const DecodedOperand &o) {
  // A direct operand's strided gather is dropped once decoded; its span is
  // what the gather's source spanned.
  if (o.direct)
    return {o.data, o.data + o.directSpan()};
  OperandSpan s;
  if (o.strided >= 0) {
    const StridedCopy &c = p.strided[o.strided];
    bool forward = true;
    for (uint32_t d = 0; d < c.rank; ++d)
      forward = forward && c.srcStride[d] >= 0;
    if (forward && c.bytes())
      return {c.src, c.src + c.srcSpan()};
  }
  forEachPiece(p, o, [&](const uint8_t *ptr, uint64_t bytes) {
    if (!bytes)
      return;
    if (!s.lo || ptr < s.lo)
      s.lo = ptr;
    if (!s.hi || ptr + bytes > s.hi)
      s.hi = ptr + bytes;
  });
  return s;
}

namespace {

/// Whether no other operand of [begin, end) shares a byte with operand `a`
/// where either of the two is written; `spans` holds theirs. Pieces are
/// compared one by one only where the spans meet and one of the two is not
/// a single run (whose span is its only piece): a strided operand has a
/// piece per row, and its rows may interleave with another's.
bool alone(const DecodedComputeSet &p, uint32_t begin, uint32_t end, uint32_t a,
           const std::vector<OperandSpan> &spans) {
  const DecodedOperand &oa = p.operands[a];
  auto single = [](const DecodedOperand &o) {
    return o.strided < 0 && o.runEnd - o.runBegin == 1;
  };
  for (uint32_t b = begin; b < end; ++b) {
    const DecodedOperand &ob = p.operands[b];
    if (a == b || (!oa.written && !ob.written) ||
        !spans[a - begin].meets(spans[b - begin]))
      continue;
    if (single(oa) && single(ob))
      return false;
    bool apart = true;
    forEachPiece(p, oa, [&](const uint8_t *pa, uint64_t na) {
      forEachPiece(p, ob, [&](const uint8_t *pb, uint64_t nb) {
        apart = apart && (!na || !nb || pb >= pa + na || pa >= pb + nb);
      });
    });
    if (!apart)
      return false;
  }
  return true;
}

/// The row stride (in elements) at which the MatMul of `v` can read operand
/// `o`, which is gathered by a strided copy, in place: the copy is `rows`
/// rows of `cols` packed elements for each role the operand plays. 0 if it
/// cannot.
int64_t matMulRowStride(const DecodedComputeSet &p, const Vertex &v,
                        uint32_t index, const DecodedOperand &o) {
  const MatMul &m = *v.codelet_as_MatMul();
  if (m.batch() != 1 || o.strided < 0 ||
      !kernels::matMulStridesExact(o.dtype, m.m(), m.n(), m.k()))
    return 0;
  const StridedCopy &c = p.strided[o.strided];
  size_t elem = dtypeSize(o.dtype);
  if (c.rank != 1 || elem == 0 || c.srcStride[0] <= 0 ||
      c.srcStride[0] % elem != 0 || c.inner % elem != 0)
    return 0;
  // (rows, cols) of the matrix in each role the operand has.
  std::pair<int64_t, int64_t> shape{-1, -1};
  bool ok = true;
  auto role = [&](bool is, int64_t rows, int64_t cols) {
    if (!is)
      return;
    if (shape.first >= 0 && shape != std::make_pair(rows, cols))
      ok = false;
    shape = {rows, cols};
  };
  role(m.lhs() == index, m.transpose_lhs() ? m.k() : m.m(),
       m.transpose_lhs() ? m.m() : m.k());
  role(m.rhs() == index, m.transpose_rhs() ? m.n() : m.k(),
       m.transpose_rhs() ? m.k() : m.n());
  role(m.result() == index, m.m(), m.n());
  // The kernel reads a separate init at the result's leading dimension, so
  // an init that is not the result itself stays packed, and so does a
  // result with such an init.
  if (m.init() >= 0 && m.init() != static_cast<int32_t>(m.result()) &&
      (static_cast<uint32_t>(m.init()) == index || m.result() == index))
    ok = false;
  if (!ok || shape.first < 0 || c.sizes[0] != shape.first ||
      c.inner != static_cast<uint64_t>(shape.second) * elem)
    return 0;
  return c.srcStride[0] / static_cast<int64_t>(elem);
}

/// Points each direct operand of `dv` at its bytes (DecodedOperand::data).
void locateDirect(DecodedComputeSet &p, const DecodedVertex &dv) {
  for (uint32_t o = dv.operandBegin; o < dv.operandEnd; ++o) {
    DecodedOperand &op = p.operands[o];
    if (op.direct)
      op.data = op.strided >= 0
                    ? const_cast<uint8_t *>(p.strided[op.strided].src)
                    : p.runs.ptr(op.runBegin);
  }
}

} // namespace

void chooseInPlaceOperands(DecodedComputeSet &p, const Vertex &v,
                           const DecodedVertex &dv) {
  // Most vertices (nearly every Generic one) have only single-run operands:
  // each is then in place unless its run meets another's where either is
  // written, found without spans or piece walks.
  bool allSingle = true;
  for (uint32_t o = dv.operandBegin; o < dv.operandEnd && allSingle; ++o)
    allSingle = p.operands[o].strided < 0 &&
                p.operands[o].runEnd - p.operands[o].runBegin == 1;
  if (allSingle) {
    for (uint32_t a = dv.operandBegin; a < dv.operandEnd; ++a) {
      DecodedOperand &oa = p.operands[a];
      const uint8_t *pa = p.runs.ptr(oa.runBegin);
      uint64_t na = p.runs.length(oa.runBegin);
      bool apart = true;
      for (uint32_t b = dv.operandBegin; b < dv.operandEnd && apart; ++b) {
        const DecodedOperand &ob = p.operands[b];
        if (a == b || (!oa.written && !ob.written))
          continue;
        const uint8_t *pb = p.runs.ptr(ob.runBegin);
        uint64_t nb = p.runs.length(ob.runBegin);
        apart = pb >= pa + na || pa >= pb + nb;
      }
      oa.direct = apart;
    }
    locateDirect(p, dv);
    return;
  }
  // Kept by the thread: this runs for every vertex of a plan.
  thread_local std::vector<OperandSpan> spans;
  spans.clear();
  for (uint32_t o = dv.operandBegin; o < dv.operandEnd; ++o)
    spans.push_back(operandSpan(p, p.operands[o]));
  for (uint32_t a = dv.operandBegin; a < dv.operandEnd; ++a) {
    DecodedOperand &oa = p.operands[a];
    if (oa.runEnd - oa.runBegin == 1 && oa.strided < 0) {
      oa.direct = alone(p, dv.operandBegin, dv.operandEnd, a, spans);
      continue;
    }
    if (v.codelet_type() != KernelBody::MatMul)
      continue;
    int64_t stride = matMulRowStride(p, v, a - dv.operandBegin, oa);
    uint64_t rows = p.strided[oa.strided].sizes[0];
    // (A stride or row count past 32 bits, which no tile holds, stays
    // packed.)
    if (stride && stride <= INT32_MAX && rows <= UINT32_MAX &&
        alone(p, dv.operandBegin, dv.operandEnd, a, spans)) {
      oa.direct = true;
      oa.rowStride = static_cast<int32_t>(stride);
      oa.rows = static_cast<uint32_t>(rows);
    }
  }
  locateDirect(p, dv);
}

} // namespace ipuc::sim
