//===- Interval.h - One interval of a bsp.tensor's mapping ------*- C++ -*-===//
//
// The element type of #bsp.mapping. A plain record rather than an attribute:
// a weight homed on its consumers has hundreds of thousands of intervals, and
// uniquing one attribute per interval (a hash-table probe each, and a pointer
// chase per read) was a large share of compile time. A mapping is one
// attribute over a flat array of these, hashed in one pass.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_DIALECTS_BSP_IR_INTERVAL_H
#define IPUC_DIALECTS_BSP_IR_INTERVAL_H

#include "llvm/ADT/Hashing.h"

#include <cstdint>

namespace ipuc::bsp {

/// Elements [begin, end) of a tensor's row-major flattening on `tile`, from
/// byte `address` of its memory (`TileInterval` in plan.fbs).
struct Interval {
  int64_t tile = 0, begin = 0, end = 0, address = 0;

  int64_t size() const { return end - begin; }
  bool operator==(const Interval &other) const {
    return tile == other.tile && begin == other.begin && end == other.end &&
           address == other.address;
  }
  bool operator!=(const Interval &other) const { return !(*this == other); }
};

inline llvm::hash_code hash_value(const Interval &iv) {
  return llvm::hash_combine(iv.tile, iv.begin, iv.end, iv.address);
}

} // namespace ipuc::bsp

#endif // IPUC_DIALECTS_BSP_IR_INTERVAL_H
