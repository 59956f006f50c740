//===- StepMemo.h - Steps of equal content, decoded once --------*- C++ -*-===//
//
// Internal to runtime/sim. The memory planner gives the activations of
// identical layers identical tiles and addresses, so the compute sets and
// exchanges of a transformer's twelve layers are, but for tensor ids, the
// same steps over the same bytes of tile memory. A decoded step (Program.h)
// holds only what the plan's step table and the layouts of the tensors it
// touches determine: host pointers into tile memory, cycles, in-place and
// direct-copy decisions, kernel preparations. Two steps whose tables are
// equal once every tensor id is replaced by its tensor's *layout class*
// (equal dtype, shape and intervals: tile, address and element range)
// therefore decode to equal bodies, and the decoder decodes the first and
// lets the others share it (Program::computeSets / exchanges), keeping only
// their names, locations and profile entries apart.
//
// Equality is decided field by field on the plan's tables, every field the
// decoder reads; a hash only picks the candidate to compare with.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_STEPMEMO_H
#define IPUC_SIM_STEPMEMO_H

#include "TileMemory.h"

#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace ipuc::sim {

class ThreadPool;

namespace detail {

/// A class per tensor: two mapped tensors share one exactly when their
/// dtypes, shapes and (non-empty) intervals are equal, i.e. every box of one
/// resolves to the same tile memory as the same box of the other. Each
/// unmapped tensor has a class of its own (decoding it is an error that
/// names it).
std::vector<uint32_t> layoutClasses(const plan::Plan &plan,
                                    const std::vector<TensorLayout> &layouts,
                                    ThreadPool *pool);

/// A class per tensor like layoutClasses, but with addresses left out: two
/// mapped tensors share one when their dtypes, shapes and intervals' tiles
/// and element ranges are equal (the weights of identical layers), so that
/// a box of one lies on the same tiles, in the same shape, as the same box
/// of the other.
std::vector<uint32_t>
congruenceClasses(const plan::Plan &plan,
                  const std::vector<TensorLayout> &layouts, ThreadPool *pool);

/// Step tables compared with tensor ids read through their layout classes:
/// every field the decoder reads except the name and location.
class StepKeys {
public:
  explicit StepKeys(const std::vector<uint32_t> &classes) : classes(classes) {}

  uint64_t hash(const plan::ComputeSet &cs) const;
  uint64_t hash(const plan::Exchange &ex) const;
  bool same(const plan::ComputeSet &a, const plan::ComputeSet &b) const;
  bool same(const plan::Exchange &a, const plan::Exchange &b) const;
  /// The same for the copies `copies` of an exchange (a copy group).
  uint64_t hash(const plan::Exchange &ex,
                const std::vector<uint32_t> &copies) const;
  bool same(const plan::Exchange &a, const std::vector<uint32_t> &copiesOfA,
            const plan::Exchange &b,
            const std::vector<uint32_t> &copiesOfB) const;

  /// A tensor id's class; an id outside the plan stays itself (apart from
  /// every class), so that the decoder reports it as before.
  uint64_t classOf(uint32_t tensor) const {
    return tensor < classes.size() ? classes[tensor]
                                   : (uint64_t(1) << 32) | tensor;
  }

private:
  uint64_t hashCopy(uint64_t h, const plan::ExchangeCopy &c) const;
  bool sameCopy(const plan::ExchangeCopy &a, const plan::ExchangeCopy &b) const;
  uint64_t hashBox(uint64_t h, const plan::Box *box) const;
  bool sameBox(const plan::Box *a, const plan::Box *b) const;
  bool sameVertex(const plan::Vertex &a, const plan::Vertex &b) const;

  const std::vector<uint32_t> &classes;
};

/// For items [0, n): the first item of equal content, itself if none comes
/// before it. `hash(i)` and `same(i, j)` must agree (same implies equal
/// hashes); hashes and comparisons with the candidate run on the pool.
std::vector<uint32_t>
firstOfEqual(size_t n, const std::function<uint64_t(size_t)> &hash,
             const std::function<bool(size_t, size_t)> &same, ThreadPool *pool);

} // namespace detail
} // namespace ipuc::sim

#endif // IPUC_SIM_STEPMEMO_H
