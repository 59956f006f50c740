//===- MemoryPlanner.h - Liveness-based per-tile addresses ------*- C++ -*-===//
//
// Pure C++: given the blocks each tile must hold (bytes) and the step range
// during which each is live, assigns addresses first-fit so that blocks whose
// live ranges do not overlap may share memory.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_MEMORYPLANNER_H
#define IPUC_COMPILER_PARTITION_MEMORYPLANNER_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace ipuc::partition {

struct MemoryBlock {
  int64_t tile = 0;
  int64_t bytes = 0;
  /// Live over steps [first, last] (inclusive).
  int64_t first = 0, last = 0;
  /// Caller's handle (e.g. the tensor index).
  int64_t owner = 0;
  /// Output: the assigned byte address on the tile.
  int64_t address = 0;
};

/// Runs body(0) ... body(count - 1), in any order and on any threads (the
/// caller's thread pool; this file stays free of MLIR).
using ParallelFor =
    std::function<void(size_t count, const std::function<void(size_t)> &body)>;

/// Assigns `address` of every block (aligned to `alignment`). Returns the
/// peak bytes per tile (indexed by tile, sized `numTiles`). Tiles are
/// planned independently, through `parallelFor` when given; the addresses
/// do not depend on it.
std::vector<int64_t> assignAddresses(std::vector<MemoryBlock> &blocks,
                                     int64_t numTiles, int64_t alignment = 8,
                                     const ParallelFor &parallelFor = nullptr);

/// The addresses of the blocks `indices` (all on one tile; reordered), first
/// fit by decreasing size, ties in the given order. Returns their peak.
int64_t assignTileAddresses(std::vector<MemoryBlock> &blocks,
                            std::vector<size_t> &indices, int64_t alignment);

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_MEMORYPLANNER_H
