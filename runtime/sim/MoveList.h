//===- MoveList.h - An exchange's contiguous moves, packed ------*- C++ -*-===//
//
// Most bytes of a big plan's exchanges are staging gathers: a box read out
// of a tensor split over many tiles in short pieces, written into one packed
// buffer. The 12-layer encoder's exchanges are 15.7 M contiguous moves of
// 165 bytes on average whose destinations follow one another in runs of ~25
// (623 k runs). Stored as (src, dst, bytes) that was 24 bytes per move,
// written at set-up (page faults, reallocation) and streamed back at every
// run next to the 165 bytes it copies.
//
// A MoveList stores a run of moves with consecutive destinations once (its
// first destination and byte count) and each move of it as 8 bytes: the
// source's offset from the tile memory arena (48 bits) and its length (16
// bits; longer moves are split). Destination overlap is then checked per run
// instead of per move (chooseDirect), and the run loop reads a third of the
// bytes it did. Moves stay in the order they were appended: for a staged
// exchange that order is the plan's.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_MOVELIST_H
#define IPUC_SIM_MOVELIST_H

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ipuc::sim {

class MoveList {
public:
  /// Moves whose destinations follow one another: moves
  /// [pieceBegin, pieceEnd), the first written at `dst`, `bytes` in all.
  struct Run {
    uint8_t *dst = nullptr;
    uint64_t bytes = 0;
    uint32_t pieceBegin = 0, pieceEnd = 0;
  };
  /// A run is split once it holds this many bytes, so that runs can be
  /// shared out evenly between threads (chunks of kExchangeChunkBytes).
  static constexpr uint64_t kMaxRunBytes = 64 * 1024;
  /// The longest single move; longer ones become several.
  static constexpr uint64_t kMaxPieceBytes = (uint64_t(1) << 16) - 1;

  /// Empty, for moves whose sources lie in the 2^48 bytes from `base`.
  void reset(const uint8_t *base) {
    base_ = base;
    runs_.clear();
    pieces_.clear();
    sourceAlignment_ = 0;
    runEnd_ = nullptr;
    runBytes_ = pieceEnd_ = 0;
  }
  const uint8_t *base() const { return base_; }
  /// The OR of every appended move's source offset from the base and of its
  /// length: its lowest set bit is the coarsest granule at which all source
  /// ranges are exact (ByteMarks::foldAlignment, without a pass over them).
  uint64_t sourceAlignment() const { return sourceAlignment_; }

  /// Appends the move of `bytes` bytes from `src` to `dst`. With `join`, a
  /// move that continues the last one on both sides extends it instead (a
  /// box's rows that lie end to end on both tiles). Returns how many moves
  /// the list grew by: 0 when joined, more than 1 for a long move split.
  uint32_t append(const uint8_t *src, uint8_t *dst, uint64_t bytes, bool join) {
    if (!bytes)
      return 0;
    uint64_t off = static_cast<uint64_t>(src - base_);
    sourceAlignment_ |= off | bytes;
    // The common case, from the cached end of the last run and move.
    if (dst == runEnd_ && runBytes_ + bytes <= kMaxRunBytes &&
        bytes <= kMaxPieceBytes) {
      Run &r = runs_.back();
      runEnd_ += bytes;
      runBytes_ += bytes;
      r.bytes = runBytes_;
      if (join && off == pieceEnd_ &&
          (pieces_.back() >> kOffsetBits) + bytes <= kMaxPieceBytes) {
        pieces_.back() += bytes << kOffsetBits;
        pieceEnd_ += bytes;
        return 0;
      }
      pieces_.push_back(off | (bytes << kOffsetBits));
      pieceEnd_ = off + bytes;
      ++r.pieceEnd;
      return 1;
    }
    return appendLong(off, dst, bytes);
  }

  size_t numRuns() const { return runs_.size(); }
  size_t numPieces() const { return pieces_.size(); }
  bool empty() const { return pieces_.empty(); }
  const std::vector<Run> &runs() const { return runs_; }

  /// Move k's source and length (moves in the order appended).
  const uint8_t *source(size_t k) const {
    return base_ + (pieces_[k] & kOffsetMask);
  }
  uint64_t length(size_t k) const { return pieces_[k] >> kOffsetBits; }

  /// Calls f(src, dst, bytes) for the moves of run `r`, in order.
  template <typename F> void forEachPieceOfRun(const Run &r, F &&f) const {
    uint8_t *d = r.dst;
    for (uint32_t k = r.pieceBegin; k < r.pieceEnd; ++k) {
      uint64_t v = pieces_[k], n = v >> kOffsetBits;
      f(base_ + (v & kOffsetMask), d, n);
      d += n;
    }
  }
  /// Calls f(src, dst, bytes) for every move, in the order appended.
  template <typename F> void forEachPiece(F &&f) const {
    for (const Run &r : runs_)
      forEachPieceOfRun(r, f);
  }
  /// Copies the moves of runs [begin, end).
  void copyRuns(size_t begin, size_t end) const {
    if (begin >= end)
      return;
    const uint64_t *pieces = pieces_.data();
    // Sources are scattered over the tile memories (each move of a staging
    // gather on another tile), so each move would start with a cache miss
    // the hardware prefetcher cannot foresee: the source of the move
    // kPrefetchAhead on is requested while this one is copied.
    const size_t last = runs_[end - 1].pieceEnd - 1;
    for (size_t i = begin; i < end; ++i) {
      const Run &r = runs_[i];
      uint8_t *d = r.dst;
      for (uint32_t k = r.pieceBegin; k < r.pieceEnd; ++k) {
        size_t ahead = std::min<size_t>(k + kPrefetchAhead, last);
        const uint8_t *next = base_ + (pieces[ahead] & kOffsetMask);
        __builtin_prefetch(next);
        __builtin_prefetch(next + 64);
        uint64_t v = pieces[k], n = v >> kOffsetBits;
        std::memcpy(d, base_ + (v & kOffsetMask), n);
        d += n;
      }
    }
  }

  /// The same moves in exactly sized arrays (a list built in a decoding
  /// thread's scratch, which keeps its capacity for the next exchange).
  void assignCompact(const MoveList &other) {
    base_ = other.base_;
    sourceAlignment_ = other.sourceAlignment_;
    runEnd_ = other.runEnd_;
    runBytes_ = other.runBytes_;
    pieceEnd_ = other.pieceEnd_;
    runs_.assign(other.runs_.begin(), other.runs_.end());
    pieces_.assign(other.pieces_.begin(), other.pieces_.end());
  }
  /// Frees the arrays.
  void release() {
    runs_ = {};
    pieces_ = {};
    runEnd_ = nullptr;
    runBytes_ = pieceEnd_ = 0;
  }

private:
  static constexpr unsigned kOffsetBits = 48;
  static constexpr size_t kPrefetchAhead = 8;
  static constexpr uint64_t kOffsetMask = (uint64_t(1) << kOffsetBits) - 1;

  /// Starts new runs for a move that does not fit the last one.
  uint32_t appendLong(uint64_t off, uint8_t *dst, uint64_t bytes) {
    uint32_t added = 0;
    while (bytes) {
      uint64_t n = bytes < kMaxPieceBytes ? bytes : kMaxPieceBytes;
      uint32_t k = static_cast<uint32_t>(pieces_.size());
      runs_.push_back({dst, n, k, k + 1});
      pieces_.push_back(off | (n << kOffsetBits));
      off += n;
      dst += n;
      bytes -= n;
      ++added;
    }
    runEnd_ = dst;
    runBytes_ = runs_.back().bytes;
    pieceEnd_ = off;
    return added;
  }

  const uint8_t *base_ = nullptr;
  uint64_t sourceAlignment_ = 0;
  /// The last run's end and size and the last move's source end (offset),
  /// kept beside the arrays so that appending reads neither.
  uint8_t *runEnd_ = nullptr;
  uint64_t runBytes_ = 0, pieceEnd_ = 0;
  std::vector<Run> runs_;
  std::vector<uint64_t> pieces_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_MOVELIST_H
