//===- Generic.h - The linalg.generic interpreter kernel --------*- C++ -*-===//
//
// Evaluates a Generic kernel's scalar program over its loop nest. Operands are
// raw pointers with an element offset and one stride per loop dimension, so
// the tile simulator can run the same kernel on a sub-box of the iteration
// space (adjust offsets and bounds, set indexOrigin for Index).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_GENERIC_H
#define IPUC_KERNELS_GENERIC_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::kernels {

/// One operand: element (data + offset + sum_d i_d * strides[d]).
struct StridedOperand {
  void *data = nullptr;
  plan::DType dtype = plan::DType::F32;
  int64_t offset = 0;
  const int64_t *strides = nullptr; // one per loop dimension
};

/// A tensor read at computed indices by Extract.
struct CapturedTensor {
  const void *data = nullptr;
  plan::DType dtype = plan::DType::F32;
  std::vector<int64_t> shape;
};

struct GenericArgs {
  std::vector<int64_t> bounds;
  /// 1 where the loop dimension is a reduction; empty means all parallel.
  std::vector<uint8_t> reductionDims;
  /// Added to the loop indices Index returns; empty means zero. Lets a tile
  /// run a sub-box of the full iteration space.
  std::vector<int64_t> indexOrigin;
  std::vector<StridedOperand> inputs;
  std::vector<StridedOperand> outputs;
  std::vector<CapturedTensor> captured;
  const plan::Instr *program = nullptr;
  size_t programSize = 0;
  uint32_t numRegisters = 0;
  /// Threads to use; 0 picks one per core for large loops.
  int numThreads = 0;
};

/// Runs the program. Outputs must already hold their initial values (the
/// caller copies inits). Fails, with `error` set, only on data-dependent
/// problems such as an Extract index out of range.
bool runGeneric(const GenericArgs &args, std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_GENERIC_H
