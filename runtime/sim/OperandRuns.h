//===- OperandRuns.h - Compute-set operand runs, 8 bytes each ---*- C++ -*-===//
//
// Internal to runtime/sim. An operand box that is not one block on its tile
// is gathered into a packed buffer from runs of tile memory, and scattered
// back from it. A 12-layer encoder's decoded compute sets hold 8.5 M such
// runs: as pointer, buffer offset and length (24 bytes) they were 205 MB of
// fresh pages at set-up, read again on every run. Here a run is its offset
// from the arena's start and its length in one word; where it lands in the
// packed buffer follows from the runs before it, since an operand's runs
// fill its buffer in order.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_OPERANDRUNS_H
#define IPUC_SIM_OPERANDRUNS_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace ipuc::sim {

class OperandRuns {
public:
  /// Runs address the arena from `base` on (TileMemory::kMaxArenaBytes at
  /// most).
  void setBase(uint8_t *base) { base_ = base; }
  void reserve(size_t n) { words_.reserve(n); }
  uint32_t size() const { return static_cast<uint32_t>(words_.size()); }

  /// Appends `bytes` bytes at `ptr` (in runs of at most kMaxLength).
  void append(uint8_t *ptr, uint64_t bytes) {
    uint64_t offset = static_cast<uint64_t>(ptr - base_);
    do {
      uint64_t n = bytes < kMaxLength ? bytes : kMaxLength;
      words_.push_back(offset << kLengthBits | n);
      offset += n;
      bytes -= n;
    } while (bytes);
  }

  uint8_t *ptr(uint32_t i) const { return base_ + (words_[i] >> kLengthBits); }
  /// Moves runs [begin, end) by `delta` bytes (each stays in the arena).
  void shift(uint32_t begin, uint32_t end, int64_t delta) {
    for (uint32_t i = begin; i < end; ++i)
      words_[i] = static_cast<uint64_t>(
          static_cast<int64_t>(words_[i]) +
          delta * static_cast<int64_t>(uint64_t(1) << kLengthBits));
  }
  uint64_t length(uint32_t i) const { return words_[i] & kMaxLength; }

  /// Copies runs [begin, end) one after the other into `buf`.
  void gather(uint32_t begin, uint32_t end, uint8_t *buf) const {
    for (uint32_t i = begin; i < end; ++i) {
      uint64_t w = words_[i], n = w & kMaxLength;
      std::memcpy(buf, base_ + (w >> kLengthBits), n);
      buf += n;
    }
  }
  /// The reverse: `buf`'s bytes back into runs [begin, end).
  void scatter(uint32_t begin, uint32_t end, const uint8_t *buf) const {
    for (uint32_t i = begin; i < end; ++i) {
      uint64_t w = words_[i], n = w & kMaxLength;
      std::memcpy(base_ + (w >> kLengthBits), buf, n);
      buf += n;
    }
  }

private:
  static constexpr unsigned kLengthBits = 24;
  static constexpr uint64_t kMaxLength = (uint64_t(1) << kLengthBits) - 1;
  uint8_t *base_ = nullptr;
  std::vector<uint64_t> words_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_OPERANDRUNS_H
