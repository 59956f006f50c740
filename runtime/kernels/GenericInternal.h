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

struct ExecContext {
  uint8_t *regs = nullptr;
  int n = 0;
  /// Current loop indices; lanes advance along chunkDim (if >= 0).
  const int64_t *idx = nullptr;
  int chunkDim = -1;
  const int64_t *indexOrigin = nullptr;
  const std::vector<CapturedTensor> *captured = nullptr;

  float *f(unsigned r) const {
    return reinterpret_cast<float *>(regs + r * kRegBytes);
  }
  int64_t *i(unsigned r) const {
    return reinterpret_cast<int64_t *>(regs + r * kRegBytes);
  }
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

} // namespace ipuc::kernels::detail

#endif // IPUC_KERNELS_GENERICINTERNAL_H
