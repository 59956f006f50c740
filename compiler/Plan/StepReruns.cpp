//===- StepReruns.cpp - Steps the plan writes as reruns -------------------===//

#include "compiler/Plan/StepReruns.h"

#include "llvm/ADT/Hashing.h"

#include <tuple>
#include <unordered_map>

using namespace mlir;
namespace bsp = ipuc::bsp;

namespace {

/// Walks the steps in the serializer's order, keeping the first step of
/// each content as the candidate the later ones are compared with.
class RerunFinder {
public:
  explicit RerunFinder(bsp::ProgramOp program) {
    // A tensor's class: equal classes touch the same bytes of tile memory.
    // A tensor with elements but no mapping gets a class of its own (a step
    // touching it fails to decode, and a rerun must not hide that).
    llvm::DenseMap<std::tuple<const void *, const void *, unsigned>, unsigned>
        classes;
    unsigned fresh = 0;
    for (auto tensor : program.getBody().front().getOps<bsp::TensorOp>()) {
      bool unmapped =
          tensor.getMapping().empty() && tensor.getType().getNumElements() != 0;
      unsigned id = fresh;
      if (!unmapped)
        id = classes
                 .try_emplace({tensor.getType().getAsOpaquePointer(),
                               tensor.getMapping().getAsOpaquePointer(),
                               static_cast<unsigned>(tensor.getRole())},
                              fresh)
                 .first->second;
      if (id == fresh)
        ++fresh;
      classOf[tensor.getResult()] = id;
    }
  }

  void walk(Block &block) {
    for (Operation &op : block) {
      if (isa<bsp::TensorOp, bsp::SyncOp>(op))
        continue;
      uint32_t index = next++;
      if (auto repeat = dyn_cast<bsp::RepeatOp>(op)) {
        walk(repeat.getBody().front());
        continue;
      }
      if (!isa<bsp::ComputeSetOp, bsp::ExchangeOp>(op))
        continue;
      Block &body = op.getRegion(0).front();
      llvm::SmallVector<Candidate, 1> &list = firsts[hashBody(op, body)];
      bool found = false;
      for (const Candidate &c : list) {
        ipuc::StepRerun rerun;
        if (c.op->getName() == op.getName() &&
            sameBlock(c.op->getRegion(0).front(), body, rerun)) {
          rerun.target = c.index;
          reruns[&op] = std::move(rerun);
          found = true;
          break;
        }
      }
      if (!found)
        list.push_back({&op, index});
    }
  }

  llvm::DenseMap<Operation *, ipuc::StepRerun> reruns;

private:
  struct Candidate {
    Operation *op;
    uint32_t index;
  };

  size_t hashBody(Operation &step, Block &body) const {
    llvm::hash_code h = llvm::hash_value(step.getName().getAsOpaquePointer());
    for (Operation &op : body) {
      h = llvm::hash_combine(h, op.getName().getAsOpaquePointer(),
                             op.getRawDictionaryAttrs().getAsOpaquePointer(),
                             op.hashProperties());
      for (Value v : op.getOperands()) {
        auto it = classOf.find(v);
        h = llvm::hash_combine(h, it == classOf.end() ? ~0u : it->second);
      }
    }
    return h;
  }

  /// Whether `b` (of the later step) does what `a` does, with the tensor
  /// renames collected in `rerun`; `local` maps the values defined inside
  /// `a` (vertex bodies) to those of `b`.
  bool sameBlock(Block &a, Block &b, ipuc::StepRerun &rerun) {
    llvm::DenseMap<Value, Value> renames, local;
    if (!sameOps(a, b, renames, local))
      return false;
    for (auto [from, to] : renames)
      rerun.renames.emplace_back(from, to);
    return true;
  }

  bool sameOps(Block &a, Block &b, llvm::DenseMap<Value, Value> &renames,
               llvm::DenseMap<Value, Value> &local) {
    if (a.getNumArguments() != b.getNumArguments())
      return false;
    for (auto [x, y] : llvm::zip(a.getArguments(), b.getArguments())) {
      if (x.getType() != y.getType())
        return false;
      local[x] = y;
    }
    auto ai = a.begin(), bi = b.begin();
    for (; ai != a.end() && bi != b.end(); ++ai, ++bi)
      if (!sameOp(*ai, *bi, renames, local))
        return false;
    return ai == a.end() && bi == b.end();
  }

  bool sameOp(Operation &a, Operation &b, llvm::DenseMap<Value, Value> &renames,
              llvm::DenseMap<Value, Value> &local) {
    if (a.getName() != b.getName() ||
        a.getRawDictionaryAttrs() != b.getRawDictionaryAttrs() ||
        !a.getName().compareOpProperties(a.getPropertiesStorage(),
                                         b.getPropertiesStorage()) ||
        a.getNumOperands() != b.getNumOperands() ||
        a.getNumResults() != b.getNumResults() ||
        a.getNumRegions() != b.getNumRegions() || a.getNumSuccessors() ||
        b.getNumSuccessors() || a.getResultTypes() != b.getResultTypes())
      return false;
    for (auto [x, y] : llvm::zip(a.getOperands(), b.getOperands())) {
      auto cx = classOf.find(x), cy = classOf.find(y);
      if (cx != classOf.end() || cy != classOf.end()) {
        // Tensors: the same class, renamed consistently.
        if (cx == classOf.end() || cy == classOf.end() ||
            cx->second != cy->second)
          return false;
        auto [it, inserted] = renames.try_emplace(x, y);
        if (it->second != y)
          return false;
        continue;
      }
      auto it = local.find(x);
      if (it == local.end() || it->second != y)
        return false;
    }
    for (auto [x, y] : llvm::zip(a.getResults(), b.getResults()))
      local[x] = y;
    for (auto [ra, rb] : llvm::zip(a.getRegions(), b.getRegions())) {
      if (ra.getBlocks().size() != rb.getBlocks().size())
        return false;
      for (auto [ba, bb] : llvm::zip(ra.getBlocks(), rb.getBlocks()))
        if (!sameOps(ba, bb, renames, local))
          return false;
    }
    return true;
  }

  llvm::DenseMap<Value, unsigned> classOf;
  std::unordered_map<size_t, llvm::SmallVector<Candidate, 1>> firsts;
  uint32_t next = 0;
};

} // namespace

ipuc::StepReruns ipuc::findStepReruns(bsp::ProgramOp program) {
  RerunFinder finder(program);
  finder.walk(program.getBody().front());
  return std::move(finder.reruns);
}
