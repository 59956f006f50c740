//===- SemanticVerifier.h - The plan's semantic verifier --------*- C++ -*-===//
//
// Internal to runtime/plan: the verifier's state and checks, shared by
// Verifier.cpp (tensors, bindings, host kernels) and TileProgramVerifier.cpp
// (tile mappings, compute sets, exchanges, streams).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_PLAN_SEMANTICVERIFIER_H
#define IPUC_PLAN_SEMANTICVERIFIER_H

#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <array>
#include <string>
#include <vector>

namespace ipuc::plan::detail {

using I128 = __int128;

class SemanticVerifier {
public:
  explicit SemanticVerifier(const Plan &plan) : plan(plan) {}
  std::string run();

private:
  bool fail(std::string msg) {
    if (!quiet && error.empty())
      error = std::move(msg);
    return false;
  }
  /// Runs `check` first quietly: context strings ("compute set 'x' at ...:
  /// vertex 7: operand 2") are then left empty, which matters because a big
  /// tile program has millions of vertices and copies and formatting their
  /// names eagerly was most of the time spent verifying it. Only when the
  /// quiet run fails is `check` run again with `context()`, so that the
  /// message is exactly the one an eager run gives.
  template <typename Check, typename Context>
  bool checkWithContext(Check check, Context context) {
    quiet = true;
    bool ok = check(std::string());
    quiet = false;
    return ok || check(context());
  }
  /// `where + suffix`, or nothing while running quietly.
  std::string sub(const std::string &where, const char *suffix) const {
    return quiet ? std::string() : where + suffix;
  }
  bool checkTensors();
  bool checkBindings(const flatbuffers::Vector<flatbuffers::Offset<Binding>> *,
                     TensorRole role, const char *what);
  bool checkKernel(size_t idx, const Kernel &k);
  bool checkGeneric(const std::string &where, const Generic &g);
  bool checkTensorIndex(const std::string &where, const char *what,
                        int64_t index);
  bool checkWritable(const std::string &where, uint32_t index);
  bool checkBox(const std::string &where, const char *what, uint32_t tensor,
                int64_t offset, const flatbuffers::Vector<int64_t> *strides,
                const flatbuffers::Vector<int64_t> *sizes);
  bool checkSpan(const std::string &where, const char *what, uint32_t tensor,
                 I128 end);
  bool sameDType(const std::string &where, uint32_t a, uint32_t b);

  bool checkBody(const std::string &where, KernelBody type, const void *body);
  bool checkConvBackwardFilter(const std::string &where,
                               const Conv2DBackwardFilter &c);
  /// In MaxPoolBackwardVerifier.cpp.
  bool checkMaxPoolBackward(const std::string &where,
                            const MaxPool2DBackward &p);
  bool checkConvBackwardData(const std::string &where,
                             const Conv2DBackwardData &c);
  /// A host conv kernel's operand addressed through four non-negative
  /// element strides over `dims`: its furthest element lies in the tensor.
  bool checkStridedOperand(const std::string &where, const char *kernel,
                           const char *what, uint32_t tensor,
                           const flatbuffers::Vector<int64_t> *strides,
                           std::array<int64_t, 4> dims);
  // Tile program (target "ipu").
  bool checkTileProgram();
  /// Tiles of all the device's chips (a tile program has a device).
  uint64_t deviceTiles() const {
    const Device &d = *plan.device();
    return static_cast<uint64_t>(std::max(1u, d.num_chips())) *
           d.tiles_per_chip();
  }
  bool checkMappings();
  bool checkMappingIntervals(size_t mapping);
  bool checkTileImage();
  bool checkInImage(const std::string &where, const std::string &label,
                    const TileInterval &iv, size_t elemBytes);
  bool checkTileBox(const std::string &where, const Box *box);
  /// A transposing copy's perm, as the bsp.copy verifier checks it: a
  /// permutation of the boxes' rank under which their sizes agree.
  bool checkCopyPerm(const std::string &where, const ExchangeCopy &c);
  /// Checks the steps that are not compute sets or exchanges, and lists
  /// those as `jobs`.
  bool walkSteps(const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps,
                 int depth);
  bool checkComputeSet(const ComputeSet &cs);
  bool checkExchange(const Exchange &ex);
  /// The checks of rerun `r`, pre-order step `index`, that need no jobs
  /// run: it reruns an earlier compute set or exchange and renames as many
  /// tensors as it names.
  bool checkRerunStep(std::string at, const Rerun &r, size_t index);
  /// Every tensor the boxes of job `j`'s step name, in increasing order
  /// (the boxes have passed their checks).
  std::vector<uint32_t> tensorsOfJob(size_t j) const;
  /// The checks of a rerun that need its target's tensors (after the jobs):
  /// `from` names exactly them, and each `to` tensor has its `from`
  /// tensor's dtype, shape, role and tile mapping.
  bool checkRerunTensors(size_t rerun);
  /// Runs check(worker, j) for j in [0, n) and returns false with the error
  /// of the first j that fails, as checking one after the other would. With
  /// enough `work` (records to check) the jobs are spread over threads, each
  /// with a worker copied from this verifier (from here on the tensor tables
  /// are only read); jobs are claimed in order and a thread stops only
  /// after one of its own fails, so every job before the first failure has
  /// run.
  template <typename Check> bool runInOrder(size_t n, size_t work, Check check);
  bool checkVertex(const std::string &where, const Vertex &v);
  bool checkHostStream(const std::string &where, const flatbuffers::String *name,
                       uint32_t tensor, bool write);

  // Inside a vertex, tensor indices mean operand indices: the codelet sees
  // each operand box as a packed tensor of its own.
  struct Scope {
    std::vector<int64_t> numel;
    std::vector<DType> dtype;
    std::vector<TensorRole> role;
    std::vector<size_t> rank;
    bool operator==(const Scope &o) const {
      return numel == o.numel && dtype == o.dtype && role == o.role &&
             rank == o.rank;
    }
  };
  size_t tensorCount() const { return scope ? scope->numel.size() : numel.size(); }
  int64_t numelOf(uint32_t i) const { return scope ? scope->numel[i] : numel[i]; }
  DType dtypeOf(uint32_t i) const {
    return scope ? scope->dtype[i] : info[i].dtype;
  }
  TensorRole roleOf(uint32_t i) const {
    return scope ? scope->role[i] : info[i].role;
  }
  size_t rankOf(uint32_t i) const {
    if (scope)
      return scope->rank[i];
    return info[i].shape ? info[i].shape->size() : 0;
  }
  const char *tensorWord() const { return scope ? "operand" : "tensor"; }

  const Plan &plan;
  std::vector<int64_t> numel;
  /// Each tensor's shape, dtype and role, read out of its table once: the
  /// boxes of a big tile program refer to them millions of times.
  struct TensorInfo {
    const flatbuffers::Vector<int64_t> *shape = nullptr;
    DType dtype = DType::F32;
    TensorRole role = TensorRole::Intermediate;
  };
  std::vector<TensorInfo> info;
  std::vector<bool> mapped;
  /// Constants whose elements are in the tile image (they have no data).
  std::vector<bool> imageOnly;
  /// Per tile, its range of the tile image (in imageRanges), or -1.
  std::vector<int32_t> imageRangeOfTile;
  const flatbuffers::Vector<const TileImageRange *> *imageRanges = nullptr;
  const Scope *scope = nullptr;
  /// Scratch reused across vertices and mappings (millions of them in a big
  /// tile program): the operand scope, a mapping's intervals.
  Scope vertexScope;
  /// The codelet table, type and operand scope that last passed checkBody.
  /// The compiler shares one table among the vertices of an op, which are
  /// consecutive, and the checks depend only on the table and the scope, so
  /// a vertex with the same table and an equal scope passes again: checking
  /// it would only repeat the walk of its program. A failure is not kept,
  /// so every error is found and reported as before.
  const void *passedBody = nullptr;
  KernelBody passedType = KernelBody::NONE;
  Scope passedScope;
  std::vector<const TileInterval *> ivs;
  /// Per tile, where the last interval of the mapping being checked ends,
  /// for the tiles whose `tileSeen` is `seenStamp`.
  std::vector<uint64_t> tileEnd;
  std::vector<uint32_t> tileSeen;
  uint32_t seenStamp = 0;
  /// The compute sets and exchanges the walk reached, and their records.
  struct Job {
    const void *table = nullptr;
    bool exchange = false;
    /// A rerun refers to this step: its tensors are kept in jobTensors.
    bool rerunTarget = false;
  };
  std::vector<Job> jobs;
  size_t jobWork = 0;
  /// Per tensor, its tile mapping (null if none).
  std::vector<const TensorMapping *> mappingOf;
  /// The walk's steps in pre-order, as a rerun names them: the job of a
  /// compute set or exchange, or -1.
  std::vector<int64_t> jobOfStep;
  /// The reruns the walk reached, with their positions for messages.
  struct PendingRerun {
    const Rerun *rerun = nullptr;
    std::string at;
    size_t job = 0; // of the step it reruns
  };
  std::vector<PendingRerun> reruns;
  /// The tensors of each rerun target's job (tensorsOfJob), else empty.
  std::vector<std::vector<uint32_t>> jobTensors;
  std::string error;
  bool quiet = false;
};

} // namespace ipuc::plan::detail

#endif // IPUC_PLAN_SEMANTICVERIFIER_H
