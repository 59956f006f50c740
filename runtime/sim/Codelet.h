//===- Codelet.h - What a vertex's codelet writes, how it runs --*- C++ -*-===//
//
// Vertices run the same kernels as the host device (ipuc/kernels/Dispatch.h)
// over their operand boxes; the simulator needs to know which operands a
// codelet writes, to copy those back into tile memory, and prepares each
// distinct Generic codelet of a compute set once (PreparedCodelets) rather
// than in every call of every vertex.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_CODELET_H
#define IPUC_SIM_CODELET_H

#include "ipuc/kernels/Dispatch.h"
#include "ipuc/plan/Plan.h"

#include <memory>
#include <unordered_map>
#include <vector>

namespace ipuc::sim {

/// Operand indices the codelet writes (Generic outputs, MatMul/Conv2D
/// result, Copy/Fill dst): `out` becomes `n` flags, true at those positions.
/// Filled in place because it runs for every vertex of a plan.
void writtenOperands(const plan::Vertex &v, size_t n, std::vector<bool> &out);

/// The kernel preparations (kernels::prepareKernelBody) of one compute set's
/// vertices, one per distinct codelet table and operand signature. The
/// compiler shares a codelet table among the vertices of an op with equal
/// content, so a compute set of thousands of Generic vertices has a handful
/// of them; preparing each once moves the streaming path's decision (loop
/// nest, invariant instructions, how each operand is read) out of the run.
///
/// A preparation depends only on the table and the operands' dtypes and
/// shapes, not on where they are: it is made over stand-in pointers, one
/// distinct region per operand, as the simulator gives every operand that
/// a codelet writes storage of its own. runGenericStream checks the real
/// pointers on every call and takes the general path if they overlap, so a
/// preparation is never used where it would change the result.
class PreparedCodelets {
public:
  /// The operands' dtypes and shapes as one key: per operand its dtype, its
  /// rank and its sizes. Built by the caller in a buffer it reuses.
  static void appendOperand(std::vector<int64_t> &signature, plan::DType dtype,
                            const int64_t *sizes, size_t rank) {
    signature.push_back(static_cast<int64_t>(dtype));
    signature.push_back(static_cast<int64_t>(rank));
    signature.insert(signature.end(), sizes, sizes + rank);
  }

  /// The preparation for vertex `v` whose operands have `signature`
  /// (appendOperand for each, in order), or null when the codelet has
  /// nothing to prepare (not Generic, or not streamed).
  const kernels::PreparedKernel *get(const plan::Vertex &v,
                                     const std::vector<int64_t> &signature);

  size_t size() const { return entries_.size(); }

private:
  struct Entry {
    std::vector<int64_t> signature;
    /// Shared: a relocated copy of a compute set's body (StepMemo.h) keeps
    /// its vertices' pointers to these.
    std::shared_ptr<const kernels::PreparedKernel> prepared;
  };
  std::vector<Entry> entries_;
  /// Entries by codelet table (usually one each).
  std::unordered_map<const void *, std::vector<uint32_t>> byTable_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_CODELET_H
