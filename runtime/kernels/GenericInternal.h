//===- GenericInternal.h - Shared pieces of the Generic interpreter -------===//
//
// Registers hold a chunk of up to kChunk lanes: float registers as float,
// integer registers as int64 normalized to their dtype's width. Each register
// has room for kChunk 8-byte lanes so either view fits.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_GENERICINTERNAL_H
#define IPUC_KERNELS_GENERICINTERNAL_H

#include "ipuc/kernels/Generic.h"

namespace ipuc::kernels::detail {

constexpr int kChunk = 256;
constexpr size_t kRegBytes = kChunk * 8;
/// At most this many dimensions form a block of lanes.
constexpr size_t kMaxLaneDims = 8;

struct ExecContext {
  uint8_t *regs = nullptr;
  int n = 0;
  /// Current loop indices; lanes advance along chunkDim (if >= 0).
  const int64_t *idx = nullptr;
  int chunkDim = -1;
  const int64_t *indexOrigin = nullptr;
  const std::vector<CapturedTensor> *captured = nullptr;
  /// When set, register r is at reg[r] instead of regs + r * kRegBytes: the
  /// streaming path (GenericStream.cpp) reads contiguous float operands in
  /// place and packs its scratch registers to suit the L1 cache.
  uint8_t *const *reg = nullptr;

  uint8_t *at(unsigned r) const { return reg ? reg[r] : regs + r * kRegBytes; }
  float *f(unsigned r) const { return reinterpret_cast<float *>(at(r)); }
  int64_t *i(unsigned r) const { return reinterpret_cast<int64_t *>(at(r)); }
};

/// Executes one non-Yield instruction over ctx.n lanes.
bool execInstr(const plan::Instr &in, const ExecContext &ctx,
               std::string &error);

/// Loads n elements (element stride `stride`) into a register, converting
/// to the register representation of `dtype`.
void loadLanes(const void *base, plan::DType dtype, int64_t offset,
               int64_t stride, int n, uint8_t *reg);
/// The reverse of loadLanes, rounding floats to the storage type.
void storeLanes(void *base, plan::DType dtype, int64_t offset, int64_t stride,
                int n, const uint8_t *reg);

/// The loop nest a Generic kernel is walked over (GenericLoopNest.cpp): its
/// own with unit dimensions dropped and adjacent dimensions merged where every
/// operand steps through them as one, and the dimensions its chunks' lanes run
/// over. Kernels that read their loop indices (Index) keep the nest as
/// written (`original`) and run lanes along one dimension.
struct LoopNest {
  std::vector<int64_t> bounds;
  std::vector<uint8_t> reduction;
  /// One stride vector per operand, inputs then outputs.
  std::vector<std::vector<int64_t>> strides;
  bool original = false;
  /// Parallel dimensions, in nest order, whose iterations form the lanes of
  /// a chunk (the last one fastest); empty when there is none.
  std::vector<int> laneDims;
};
LoopNest canonicalLoopNest(const GenericArgs &a);

/// How many of a, b, c an instruction reads; 3 when unsure, which only ever
/// makes an instruction look less invariant (or less streamable) than it is.
int sourceCount(plan::Opcode op);

/// 1 for each instruction of the program that computes the same lanes
/// everywhere in the nest (GenericInvariants.cpp).
std::vector<uint8_t> invariantInstructions(const GenericArgs &a,
                                           const LoopNest &nest);

/// loadLanes and storeLanes at element off + offsets[i] for lane i.
void loadLanesAt(const void *base, plan::DType dtype, int64_t off,
                 const int64_t *offsets, int n, uint8_t *reg);
void storeLanesAt(void *base, plan::DType dtype, int64_t off,
                  const int64_t *offsets, int n, const uint8_t *reg);

} // namespace ipuc::kernels::detail

#endif // IPUC_KERNELS_GENERICINTERNAL_H
