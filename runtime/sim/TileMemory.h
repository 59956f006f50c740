//===- TileMemory.h - Tile memories and tensor layouts ----------*- C++ -*-===//
//
// Each tile's memory is a real byte array of the device's SRAM size,
// allocated only for tiles a mapping uses. A tensor's layout says which
// element intervals live where; boxes are resolved once, when the device is
// created, into segments (tile, address, bytes) so that running a step is
// just memcpys and kernel calls.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_TILEMEMORY_H
#define IPUC_SIM_TILEMEMORY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::sim {

struct Interval {
  int64_t begin = 0, end = 0; // elements [begin, end)
  uint32_t tile = 0;
  uint64_t address = 0;
};

/// A contiguous run of a box: `bytes` bytes at `address` on `tile`, which
/// are bytes [bufOffset, bufOffset + bytes) of the box's row-major packing
/// and start at flat element `element` of the tensor.
struct Segment {
  uint32_t tile = 0;
  uint64_t address = 0;
  uint64_t bufOffset = 0;
  uint64_t bytes = 0;
  int64_t element = 0;
};

struct TensorLayout {
  bool mapped = false;
  size_t elemSize = 1;
  std::vector<int64_t> shape;
  std::vector<Interval> intervals; // sorted by begin

  /// Appends the segments of the box (offsets/sizes of the tensor's rank).
  /// Returns false with `unmappedElement` set if an element has no interval.
  bool boxSegments(const int64_t *offsets, const int64_t *sizes,
                   std::vector<Segment> &out, int64_t &unmappedElement) const;
  /// "[i, j, k]" for a flat element index.
  std::string elementString(int64_t flat) const;
};

class TileMemory {
public:
  TileMemory(uint32_t tiles, uint64_t bytesPerTile);
  ~TileMemory();
  TileMemory(const TileMemory &) = delete;
  TileMemory &operator=(const TileMemory &) = delete;

  /// Allocates (zeroed) on first use.
  uint8_t *tile(uint32_t t);
  const uint8_t *tileIfAllocated(uint32_t t) const { return tiles_[t]; }
  uint32_t numTiles() const { return static_cast<uint32_t>(tiles_.size()); }
  uint64_t bytesPerTile() const { return bytesPerTile_; }

  /// Copies the segments between tile memory and a packed buffer.
  void gather(const std::vector<Segment> &segs, uint8_t *buf);
  void scatter(const std::vector<Segment> &segs, const uint8_t *buf);

private:
  std::vector<uint8_t *> tiles_;
  uint64_t bytesPerTile_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_TILEMEMORY_H
