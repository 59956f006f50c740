//===- Plan.h - Loading, verifying and printing ipuc plans ------*- C++ -*-===//
//
// The plan (plan.fbs) is the only contract between the compiler and the
// runtime. This header is what both sides use to load a plan safely: bytes
// from disk are untrusted, so every plan goes through the FlatBuffers verifier
// and then the semantic checks in Verifier.cpp before any kernel sees it.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_PLAN_PLAN_H
#define IPUC_PLAN_PLAN_H

#include "ipuc/plan/plan_generated.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::plan {

/// Bumped whenever the meaning of a plan changes in a way the schema hash does
/// not capture.
constexpr uint32_t kFormatVersion = 1;

/// The page every TileImage range starts on, in tile memory and in the plan
/// buffer (plan.fbs): a simulator whose tiles start on such pages can map the
/// plan file's pages of a range straight into tile memory.
constexpr uint64_t kTileImagePageBytes = 4096;

/// Whether Constant `t` takes its elements from the tile image: a tile
/// program's Constant without data of its own (plan.fbs TileImage).
bool constantInTileImage(const Plan &plan, const Tensor &t);

/// The SHA-256 of plan.fbs this runtime was built against.
const char *schemaHash();

/// "f32", "f16", "bf16", "f64", "bool", "i8", "i16", "i32", "i64".
const char *dtypeName(DType dtype);
/// Bytes per stored element; I1 is one byte (numpy bool).
size_t dtypeSize(DType dtype);
bool isFloatDType(DType dtype);
bool isValidDType(DType dtype);

const char *roleName(TensorRole role);

/// How many register operands (a, b, c) an instruction reads, for the
/// verifier and printer. Leaves (ConstF, ConstI, Index) read none; Extract and
/// Yield have their own encodings and report 0 here.
unsigned opcodeArity(Opcode op);

/// "3x4" for shape [3, 4]; "" for a scalar.
std::string shapeString(const flatbuffers::Vector<int64_t> *shape);
/// Product of the dims, or -1 if a dim is negative or the product overflows.
int64_t numElements(const flatbuffers::Vector<int64_t> *shape);
/// "%3 'name'" for tensor 3 of `plan` (error messages); `t` must be valid.
std::string tensorLabel(const Plan &plan, uint32_t t);

/// Owns 16-byte-aligned bytes of a verified plan: a heap copy, or (for a
/// regular file) a read-only private mapping of it. Movable, not copyable.
class LoadedPlan {
public:
  LoadedPlan() = default;
  LoadedPlan(LoadedPlan &&other) noexcept;
  LoadedPlan &operator=(LoadedPlan &&other) noexcept;
  LoadedPlan(const LoadedPlan &) = delete;
  LoadedPlan &operator=(const LoadedPlan &) = delete;
  ~LoadedPlan();

  bool valid() const { return bytes_ != nullptr; }
  const Plan &plan() const { return *GetPlan(bytes_); }
  const uint8_t *data() const { return bytes_; }
  size_t size() const { return size_; }

  /// Maps the plan file's pages holding bytes [at, at + bytes) of the plan
  /// copy-on-write over the pages at `dest`, so that they read as those
  /// bytes without being copied into fresh memory (the tile image, a
  /// simulator's 340 MB of encoder weights). False, with nothing changed,
  /// unless the plan is a mapped file, `at` and `dest` start pages and
  /// `bytes` is a whole number of pages inside the plan. `dest` must be
  /// untouched (zero) memory of the caller's own anonymous mapping: if the
  /// mapping fails it is replaced by fresh zero pages (std::bad_alloc if even
  /// that fails).
  bool mapPagesAt(const uint8_t *at, size_t bytes, void *dest) const;

private:
  friend bool loadPlanBuffer(std::vector<uint8_t> bytes, LoadedPlan &out,
                             std::string &error);
  friend bool loadPlanFile(const std::string &path, LoadedPlan &out,
                           std::string &error);
  void reset();
  uint8_t *bytes_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false; // bytes_ is an mmap of the file, not operator new
  int fd_ = -1;         // the mapped file, kept open for mapPagesAt
};

/// Reads and verifies a plan file. On failure returns false and sets `error`
/// to one line naming the file and the problem. Never crashes on any bytes.
bool loadPlanFile(const std::string &path, LoadedPlan &out, std::string &error);
/// As loadPlanFile, for bytes already in memory; `error` does not name a file.
bool loadPlanBuffer(std::vector<uint8_t> bytes, LoadedPlan &out,
                    std::string &error);

/// The FlatBuffers verifier's limits every plan is loaded with: a tile
/// program has millions of tables, far above the library's default.
flatbuffers::Verifier::Options planVerifierLimits();

/// Below this many bytes a plan's structure is verified on the calling
/// thread (see StructureVerifier.cpp for the measurement).
constexpr size_t kParallelStructureBytes = size_t(1) << 20;

struct StructureOptions {
  flatbuffers::Verifier::Options limits = planVerifierLimits();
  /// Threads for the tile program's steps; 0 means one per core.
  unsigned threads = 0;
  /// Smaller buffers go to VerifyPlanBuffer as they are.
  size_t parallelBytes = kParallelStructureBytes;
};

/// The FlatBuffers structural verification of a plan buffer, with the
/// verdict of VerifyPlanBuffer under a Verifier with `opts.limits` on every
/// buffer, but with the elements of tile_program.steps spread over threads.
/// `size` must be below FLATBUFFERS_MAX_BUFFER_SIZE (else false).
bool verifyPlanStructure(const uint8_t *buf, size_t size,
                         const StructureOptions &opts = {});

/// The semantic checks alone, for a plan that already passed the FlatBuffers
/// verifier (e.g. one the compiler just built). Returns "" when valid.
std::string verifyPlanSemantics(const Plan &plan);

/// Human-readable dump, used by `ipuc --emit=plan`, `ipu-run --dump` and lit.
std::string printPlan(const Plan &plan);

} // namespace ipuc::plan

#endif // IPUC_PLAN_PLAN_H
