//===- GenericStream.h - Streaming Generic interpreter path ---*- C++ -*-===//
//
// Most elementwise kernels (the optimizer dialect's fused updates, ReLU and
// its gradient, bias adds, the loss's scalings) walk every operand
// contiguously or broadcast a scalar: after canonicalLoopNest they are one
// dimension whose strides are 1 or 0, or rows whose inner strides are. For
// those the general driver's work per chunk (offsets through the whole nest,
// gathers into 2 KB registers whose float lanes share half of the L1 sets)
// is not needed: planGenericStream decides once, when a
// device loads its plan, that a kernel qualifies and how each operand is
// read, and runGenericStream evaluates the same instructions (execInstr) over
// blocks of lanes, reading contiguous float and i64 operands in place and
// keeping the other registers in a compact scratch.
//
// The numbers are exactly those of runGeneric: every lane runs the same
// scalar code, invariant instructions are computed in the first block (which
// has the most lanes) as there, and a kernel that could observe the block
// size is refused (a register read before the program writes it, an output
// overlapping another operand other than an input it updates in place, at
// the same elements, which is loaded into scratch before any store).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_GENERICSTREAM_H
#define IPUC_KERNELS_GENERICSTREAM_H

#include "ipuc/kernels/Generic.h"

#include <optional>

namespace ipuc::kernels {

/// How a qualifying Generic kernel is streamed: `rows` rows of `rowLength`
/// lanes (one row when the nest has one dimension).
struct GenericStream {
  struct Operand {
    plan::DType dtype = plan::DType::F32;
    int64_t offset = 0;
    int64_t rowStride = 0;
    /// 1: lanes are consecutive elements; 0: every lane reads one element.
    int64_t laneStride = 0;
    /// The program reads the register (an output's: its initial value).
    bool load = false;
    /// Read in place: an input's f32 or i64 lanes of stride 1 that nothing
    /// writes.
    bool direct = false;
    /// The same lanes in every block (an all-broadcast input): loaded in the
    /// first block only.
    bool once = false;
    /// For an input, the operand index of an output it may share storage
    /// with, element for element (an update in place), or -1.
    int inPlaceOf = -1;
  };
  int64_t rows = 1, rowLength = 1;
  size_t numInputs = 0;
  std::vector<Operand> ops; // inputs then outputs
  /// Program counters run in the first block of a range and in the others
  /// (without the invariant instructions); yields stored straight from their
  /// register are in neither.
  std::vector<uint32_t> first, rest;
  /// Per output: the register its lanes are stored from, or -1 when a yield
  /// copies them aside (a later instruction overwrites the register), or -2
  /// when nothing yields it.
  std::vector<int32_t> storeFrom;
};

/// Whether `a` qualifies, and how it is streamed. Only its shape is used
/// (bounds, strides, offsets, dtypes, program, captured shapes), plus its
/// pointers to refuse kernels whose outputs overlap other operands; any
/// later run with the same shape may use the result.
std::optional<GenericStream> planGenericStream(const GenericArgs &a);

/// Runs `a` (the same shape as planned) as `s` says. Falls back to
/// runGeneric when the pointers now overlap where they did not at planning.
bool runGenericStream(const GenericStream &s, const GenericArgs &a,
                      std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_GENERICSTREAM_H
