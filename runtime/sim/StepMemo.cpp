//===- StepMemo.cpp - Steps of equal content, decoded once ----------------===//

#include "StepMemo.h"

#include "Program.h"
#include "ThreadPool.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace ipuc::sim::detail {

using namespace plan;

namespace {

/// Folds `v` into `h` (a candidate picker only: equality is always checked).
inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

/// A missing vector is told apart from an empty one: the decoder reads them
/// differently (a null pointer).
constexpr uint64_t kAbsent = ~uint64_t(0);

/// A vector's length and elements, folded with one multiply each (a big
/// plan has millions of boxes); a missing vector apart from an empty one.
template <typename T>
uint64_t mixVector(uint64_t h, const flatbuffers::Vector<T> *v) {
  if (!v)
    return mix(h, kAbsent);
  uint64_t f = v->size();
  for (T x : *v)
    f = (f ^ static_cast<uint64_t>(x)) * 0x100000001b3ULL;
  return mix(h, f);
}

template <typename T>
bool sameVector(const flatbuffers::Vector<T> *a,
                const flatbuffers::Vector<T> *b) {
  if (a == b)
    return true;
  if (!a || !b)
    return false;
  return a->size() == b->size() &&
         std::memcmp(a->data(), b->data(), a->size() * sizeof(T)) == 0;
}

/// Whether two vectors of tables are both absent, or of one length with
/// `same` true of every pair of elements.
template <typename T, typename Same>
bool sameTables(const flatbuffers::Vector<flatbuffers::Offset<T>> *a,
                const flatbuffers::Vector<flatbuffers::Offset<T>> *b,
                Same &&same) {
  if (!a || !b)
    return !a && !b;
  if (a->size() != b->size())
    return false;
  for (uint32_t i = 0; i < a->size(); ++i)
    if (!same(*a->Get(i), *b->Get(i)))
      return false;
  return true;
}

inline uint64_t doubleBits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

/// Whether tables `a` and `b` set no field past `last` (the vtable offset
/// of the last field the comparison below knows): a field added to the
/// schema later then makes them unequal until it is compared too.
bool knownFields(const void *a, const void *b, flatbuffers::voffset_t last) {
  // A generated table type privately derives from Table and adds no data.
  auto size = [](const void *t) {
    return flatbuffers::ReadScalar<flatbuffers::voffset_t>(
        static_cast<const flatbuffers::Table *>(t)->GetVTable());
  };
  flatbuffers::voffset_t max = last + sizeof(flatbuffers::voffset_t);
  return size(a) <= max && size(b) <= max;
}

/// Codelet tables of type `type` by content. The serializer shares Generic
/// tables (the large ones) by content, so those are compared by identity;
/// the small MatMul, Conv2D, Copy and Fill tables are written per vertex
/// and compared field by field. Other (host-only) codelets by identity.
bool sameCodelet(KernelBody type, const void *a, const void *b) {
  if (a == b)
    return true;
  if (!a || !b)
    return false;
  switch (type) {
  case KernelBody::MatMul: {
    auto &x = *static_cast<const MatMul *>(a),
         &y = *static_cast<const MatMul *>(b);
    return knownFields(&x, &y, MatMul::VT_RHS_BATCH_STRIDE) &&
           x.lhs() == y.lhs() && x.rhs() == y.rhs() && x.init() == y.init() &&
           x.result() == y.result() && x.batch() == y.batch() &&
           x.m() == y.m() && x.n() == y.n() && x.k() == y.k() &&
           x.transpose_lhs() == y.transpose_lhs() &&
           x.transpose_rhs() == y.transpose_rhs() &&
           x.lhs_batch_stride() == y.lhs_batch_stride() &&
           x.rhs_batch_stride() == y.rhs_batch_stride();
  }
  case KernelBody::Conv2D: {
    auto &x = *static_cast<const Conv2D *>(a),
         &y = *static_cast<const Conv2D *>(b);
    return knownFields(&x, &y, Conv2D::VT_GROUPS) && x.input() == y.input() &&
           x.filter() == y.filter() && x.init() == y.init() &&
           x.result() == y.result() && x.n() == y.n() && x.h() == y.h() &&
           x.w() == y.w() && x.c() == y.c() && x.f() == y.f() &&
           x.kh() == y.kh() && x.kw() == y.kw() && x.oh() == y.oh() &&
           x.ow() == y.ow() && x.stride_h() == y.stride_h() &&
           x.stride_w() == y.stride_w() && x.dilation_h() == y.dilation_h() &&
           x.dilation_w() == y.dilation_w() && x.groups() == y.groups();
  }
  case KernelBody::Copy: {
    auto &x = *static_cast<const Copy *>(a), &y = *static_cast<const Copy *>(b);
    return knownFields(&x, &y, Copy::VT_DST_STRIDES) && x.src() == y.src() &&
           x.dst() == y.dst() && sameVector(x.sizes(), y.sizes()) &&
           x.src_offset() == y.src_offset() &&
           sameVector(x.src_strides(), y.src_strides()) &&
           x.dst_offset() == y.dst_offset() &&
           sameVector(x.dst_strides(), y.dst_strides());
  }
  case KernelBody::Fill: {
    auto &x = *static_cast<const Fill *>(a), &y = *static_cast<const Fill *>(b);
    return knownFields(&x, &y, Fill::VT_IIMM) && x.dst() == y.dst() &&
           doubleBits(x.fimm()) == doubleBits(y.fimm()) && x.iimm() == y.iimm();
  }
  default:
    return false;
  }
}

/// Agrees with sameCodelet: shared tables by identity, the per-vertex ones
/// by a few of their fields.
uint64_t hashCodelet(uint64_t h, KernelBody type, const void *c) {
  if (!c)
    return mix(h, kAbsent);
  switch (type) {
  case KernelBody::MatMul: {
    auto &m = *static_cast<const MatMul *>(c);
    return mix(mix(mix(h, m.m()), m.n()), m.k());
  }
  case KernelBody::Conv2D: {
    auto &k = *static_cast<const Conv2D *>(c);
    return mix(mix(mix(h, k.n()), k.oh()), k.f());
  }
  case KernelBody::Copy:
    return mix(h, static_cast<const Copy *>(c)->src_offset());
  case KernelBody::Fill:
    return mix(h, static_cast<const Fill *>(c)->iimm());
  default:
    return mix(h, reinterpret_cast<uintptr_t>(c));
  }
}

/// Calls f(i) for at most kSamples + 1 evenly spaced items of [0, n) and
/// the last. A step's or a layout's hash reads only those: hashing every
/// box of a big plan was a pass over all of it (at memory latency) before
/// decoding, and the hash only picks the candidate that `same` compares in
/// full.
template <typename F> void forSamples(uint32_t n, F &&f) {
  constexpr uint32_t kSamples = 64;
  uint32_t stride = std::max<uint32_t>(1, n / kSamples);
  for (uint32_t i = 0; i < n; i += stride)
    f(i);
  if (n && (n - 1) % stride)
    f(n - 1);
}

/// `h` mixed with the length of `v` (or its absence) and, through `hashOne`,
/// with the sampled elements (forSamples): sameTables' counterpart.
template <typename T, typename HashOne>
uint64_t hashTables(uint64_t h,
                    const flatbuffers::Vector<flatbuffers::Offset<T>> *v,
                    HashOne &&hashOne) {
  h = mix(h, v ? v->size() : kAbsent);
  if (v)
    forSamples(v->size(), [&](uint32_t i) { h = hashOne(h, *v->Get(i)); });
  return h;
}

/// Calls fn(i) for i in [0, n), on the pool when there is one.
void forEach(ThreadPool *pool, size_t n,
             const std::function<void(size_t)> &fn) {
  if (pool && n > 1)
    pool->parallelFor(n, fn);
  else
    for (size_t i = 0; i < n; ++i)
      fn(i);
}

} // namespace

std::vector<uint32_t>
firstOfEqual(size_t n, const std::function<uint64_t(size_t)> &hash,
             const std::function<bool(size_t, size_t)> &same,
             ThreadPool *pool) {
  std::vector<uint64_t> hashes(n);
  forEach(pool, n, [&](size_t i) { hashes[i] = hash(i); });
  // Each item is compared with the first item of its hash (in parallel);
  // only one that differs from it (a collision, or a near miss that hashes
  // alike) is compared, in order, with the other firsts of that hash.
  std::vector<uint32_t> first(n);
  {
    std::unordered_map<uint64_t, uint32_t> byHash;
    byHash.reserve(n);
    for (size_t i = 0; i < n; ++i)
      first[i] =
          byHash.try_emplace(hashes[i], static_cast<uint32_t>(i)).first->second;
  }
  std::vector<char> equal(n, 0);
  forEach(pool, n,
          [&](size_t i) { equal[i] = first[i] == i || same(i, first[i]); });
  std::unordered_map<uint64_t, std::vector<uint32_t>> others;
  for (size_t i = 0; i < n; ++i) {
    if (equal[i])
      continue;
    std::vector<uint32_t> &list = others[hashes[i]];
    first[i] = static_cast<uint32_t>(i);
    for (uint32_t j : list)
      if (same(i, j)) {
        first[i] = j;
        break;
      }
    if (first[i] == i)
      list.push_back(static_cast<uint32_t>(i));
  }
  return first;
}

/// layoutClasses, or with `addresses` false congruenceClasses.
static std::vector<uint32_t>
tensorClasses(const Plan &plan, const std::vector<TensorLayout> &layouts,
              bool addresses, ThreadPool *pool) {
  auto dtype = [&](size_t t) { return plan.tensors()->Get(t)->dtype(); };
  auto hash = [&](size_t t) {
    const TensorLayout &l = layouts[t];
    if (!l.mapped)
      return mix(kAbsent, t);
    uint64_t h = mix(static_cast<uint64_t>(dtype(t)), l.shape.size());
    for (int64_t d : l.shape)
      h = mix(h, static_cast<uint64_t>(d));
    h = mix(h, l.intervals.size());
    forSamples(static_cast<uint32_t>(l.intervals.size()), [&](uint32_t i) {
      const Interval &iv = l.intervals[i];
      h = mix(mix(mix(h, iv.begin), iv.end), iv.tile);
      if (addresses)
        h = mix(h, iv.address);
    });
    return h;
  };
  auto same = [&](size_t a, size_t b) {
    const TensorLayout &la = layouts[a], &lb = layouts[b];
    if (!la.mapped || !lb.mapped || dtype(a) != dtype(b) ||
        la.shape != lb.shape || la.intervals.size() != lb.intervals.size())
      return false;
    // Views of one interval vector of the plan (shared by the compiler).
    if (la.intervals.data() == lb.intervals.data())
      return true;
    for (size_t i = 0; i < la.intervals.size(); ++i) {
      const Interval &x = la.intervals[i], &y = lb.intervals[i];
      if (x.begin != y.begin || x.end != y.end || x.tile != y.tile ||
          (addresses && x.address != y.address))
        return false;
    }
    return true;
  };
  return firstOfEqual(layouts.size(), hash, same, pool);
}

std::vector<uint32_t> layoutClasses(const Plan &plan,
                                    const std::vector<TensorLayout> &layouts,
                                    ThreadPool *pool) {
  return tensorClasses(plan, layouts, /*addresses=*/true, pool);
}

std::vector<uint32_t>
congruenceClasses(const Plan &plan, const std::vector<TensorLayout> &layouts,
                  ThreadPool *pool) {
  return tensorClasses(plan, layouts, /*addresses=*/false, pool);
}

uint64_t StepKeys::hashBox(uint64_t h, const Box *box) const {
  if (!box)
    return mix(h, kAbsent);
  h = mix(h, classOf(box->tensor()));
  return mixVector(mixVector(h, box->offsets()), box->sizes());
}

bool StepKeys::sameBox(const Box *a, const Box *b) const {
  if (!a || !b)
    return !a && !b;
  return classOf(a->tensor()) == classOf(b->tensor()) &&
         sameVector(a->offsets(), b->offsets()) &&
         sameVector(a->sizes(), b->sizes());
}

uint64_t StepKeys::hash(const ComputeSet &cs) const {
  return hashTables(1, cs.vertices(), [&](uint64_t h, const Vertex &v) {
    h = mix(mix(h, v.tile()), static_cast<uint64_t>(v.codelet_type()));
    h = hashCodelet(h, v.codelet_type(), v.codelet());
    h = mix(h, doubleBits(v.flops()));
    h = mixVector(h, v.index_origin());
    h = mix(h, v.operands() ? v.operands()->size() : kAbsent);
    if (v.operands())
      for (const Box *b : *v.operands())
        h = hashBox(h, b);
    return h;
  });
}

bool StepKeys::sameVertex(const Vertex &a, const Vertex &b) const {
  if (a.tile() != b.tile() || a.codelet_type() != b.codelet_type() ||
      !sameCodelet(a.codelet_type(), a.codelet(), b.codelet()) ||
      doubleBits(a.flops()) != doubleBits(b.flops()) ||
      !sameVector(a.index_origin(), b.index_origin()))
    return false;
  return sameTables(
      a.operands(), b.operands(),
      [&](const Box &x, const Box &y) { return sameBox(&x, &y); });
}

bool StepKeys::same(const ComputeSet &a, const ComputeSet &b) const {
  return sameTables(
      a.vertices(), b.vertices(),
      [&](const Vertex &x, const Vertex &y) { return sameVertex(x, y); });
}

uint64_t StepKeys::hashCopy(uint64_t h, const ExchangeCopy &c) const {
  return mixVector(hashBox(hashBox(h, c.src()), c.dst()), c.perm());
}

bool StepKeys::sameCopy(const ExchangeCopy &a, const ExchangeCopy &b) const {
  return sameBox(a.src(), b.src()) && sameBox(a.dst(), b.dst()) &&
         sameVector(a.perm(), b.perm());
}

uint64_t StepKeys::hash(const Exchange &ex) const {
  return hashTables(2, ex.copies(), [&](uint64_t h, const ExchangeCopy &c) {
    return hashCopy(h, c);
  });
}

bool StepKeys::same(const Exchange &a, const Exchange &b) const {
  return sameTables(a.copies(), b.copies(),
                    [&](const ExchangeCopy &x, const ExchangeCopy &y) {
                      return sameCopy(x, y);
                    });
}

uint64_t StepKeys::hash(const Exchange &ex,
                        const std::vector<uint32_t> &copies) const {
  uint64_t h = mix(3, copies.size());
  forSamples(static_cast<uint32_t>(copies.size()), [&](uint32_t i) {
    h = hashCopy(h, *ex.copies()->Get(copies[i]));
  });
  return h;
}

bool StepKeys::same(const Exchange &a, const std::vector<uint32_t> &copiesOfA,
                    const Exchange &b,
                    const std::vector<uint32_t> &copiesOfB) const {
  if (copiesOfA.size() != copiesOfB.size())
    return false;
  for (size_t i = 0; i < copiesOfA.size(); ++i)
    if (!sameCopy(*a.copies()->Get(copiesOfA[i]),
                  *b.copies()->Get(copiesOfB[i])))
      return false;
  return true;
}

} // namespace ipuc::sim::detail

namespace ipuc::sim {

SimDecodeStats decodeStats(const Program &prog) {
  SimDecodeStats s;
  s.computeSteps = prog.computeSteps.size();
  s.computeSetsDecoded = prog.computeSets.size();
  s.exchangeSteps = prog.exchangeSteps.size();
  s.exchangesDecoded = prog.exchanges.size();
  for (const ProgramStep &step : prog.computeSteps) {
    s.vertices += prog.computeSets[step.body].vertices.size();
    s.computeSetBodies.push_back(step.body);
  }
  for (const DecodedComputeSet &p : prog.computeSets) {
    (p.relocated ? s.verticesRelocated : s.verticesDecoded) +=
        p.vertices.size();
    s.computeSetsRelocated += p.relocated;
  }
  s.computeSetsDecoded -= s.computeSetsRelocated;
  // A direct exchange keeps its moves and strided copies, a staged one
  // their gathers; a composite has its parts'.
  auto own = [](const DecodedExchange &p) {
    return p.direct ? p.moves.numPieces() + p.strided.size()
                    : p.src.size() + p.gathers.size();
  };
  auto pieces = [&](const DecodedExchange &p) {
    size_t n = own(p);
    for (uint32_t part : p.parts)
      n += own(prog.exchangeParts[part]);
    return n;
  };
  for (const ProgramStep &step : prog.exchangeSteps) {
    s.pieces += pieces(prog.exchanges[step.body]);
    s.exchangeBodies.push_back(step.body);
  }
  for (const DecodedExchange &p : prog.exchanges) {
    s.piecesDecoded += own(p);
    s.exchangePartsRun += p.parts.size();
  }
  for (const DecodedExchange &p : prog.exchangeParts)
    s.piecesDecoded += own(p);
  s.exchangePartsDecoded = prog.exchangeParts.size();
  for (const StepOp &op : prog.ops)
    s.fusedExchangeOps += op.kind == StepOp::Kind::Exchange && op.fusion >= 0;
  s.fusions = prog.fusions.size();
  return s;
}

} // namespace ipuc::sim
