//===- SimMoveListTest.cpp - Packed exchange moves against a plain list ---===//
//
// An exchange's contiguous moves are stored packed (MoveList.h): runs of
// consecutive destinations, each move 8 bytes, long moves split, moves that
// continue each other joined. These tests append random moves (runs, joins,
// moves longer than a piece or a run, joins refused) and compare what the
// list gives back with the plain list of (src, dst, bytes) it was given, byte
// pair by byte pair and in order (staging relies on the order), and the
// bytes its copy loop writes with the plain moves' memcpys. Then random
// exchanges on tensors split over tiles in short pieces (the moves the
// decoder packs), some reading what others write, run on the simulator
// against index arithmetic with the exchange's snapshot semantics: a wrong
// direct-copy decision on the packed runs would read overwritten bytes.
//
//===----------------------------------------------------------------------===//

#include "MoveList.h"
#include "SimTestBuilder.h"
#include "SimTestSupport.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <utility>
#include <vector>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileInterval;
using sim::MoveList;
using TB = TilePlanBuilder;

namespace {

struct PlainMove {
  size_t src, dst, bytes; // offsets in the test's buffer
};

/// `moves` with each move that continues the one before it on both sides
/// joined to it: two lists copy the same (source byte, destination byte)
/// pairs in the same order exactly when their joined forms are equal.
std::vector<PlainMove> joined(const std::vector<PlainMove> &moves) {
  std::vector<PlainMove> out;
  for (const PlainMove &m : moves) {
    if (!out.empty() && out.back().src + out.back().bytes == m.src &&
        out.back().dst + out.back().bytes == m.dst)
      out.back().bytes += m.bytes;
    else
      out.push_back(m);
  }
  return out;
}
bool operator==(const PlainMove &a, const PlainMove &b) {
  return a.src == b.src && a.dst == b.dst && a.bytes == b.bytes;
}
std::ostream &operator<<(std::ostream &os, const PlainMove &m) {
  return os << "{" << m.src << ", " << m.dst << ", " << m.bytes << "}";
}

TEST(SimMoveList, PiecesMatchAppendedMovesByteForByte) {
  constexpr size_t kSize = 1 << 20;
  std::vector<uint8_t> buf(2 * kSize);
  uint8_t *base = buf.data();
  std::mt19937 rng(11);
  int joins = 0, splits = 0;
  for (int trial = 0; trial < 200; ++trial) {
    MoveList list;
    list.reset(base);
    std::vector<PlainMove> plain;
    size_t dst = kSize + rng() % 64, src = rng() % 1024;
    int n = 1 + rng() % 400;
    for (int i = 0; i < n; ++i) {
      // Short moves mostly, now and then one longer than a piece.
      size_t bytes = rng() % 50 == 0 ? MoveList::kMaxPieceBytes + rng() % 9000
                                     : 1 + rng() % 300;
      if (rng() % 8 == 0) // a gap: a new run
        dst += 1 + rng() % 100;
      if (rng() % 4 != 0) // a scattered source; else it continues the last
        src = rng() % (kSize - 80000);
      if (dst + bytes > 2 * kSize)
        break;
      bool join = rng() % 5 != 0;
      list.append(base + src, base + dst, bytes, join);
      // Moves the list may join to the last one (so that joining is
      // exercised, not only runs).
      if (join && !plain.empty() &&
          plain.back().src + plain.back().bytes == src &&
          plain.back().dst + plain.back().bytes == dst)
        ++joins;
      plain.push_back({src, dst, bytes});
      src += bytes;
      dst += bytes;
    }
    std::vector<PlainMove> got;
    list.forEachPiece([&](const uint8_t *s, uint8_t *d, uint64_t b) {
      EXPECT_LE(b, MoveList::kMaxPieceBytes);
      EXPECT_GT(b, 0u);
      got.push_back({static_cast<size_t>(s - base),
                     static_cast<size_t>(d - base), static_cast<size_t>(b)});
    });
    EXPECT_EQ(joined(got), joined(plain)) << "trial " << trial;
    // Runs: consecutive destinations, their byte counts, bounded.
    size_t pieces = 0;
    for (const MoveList::Run &r : list.runs()) {
      uint64_t sum = 0;
      uint8_t *next = r.dst;
      list.forEachPieceOfRun(r, [&](const uint8_t *, uint8_t *d, uint64_t b) {
        EXPECT_EQ(d, next);
        next = d + b;
        sum += b;
      });
      EXPECT_EQ(sum, r.bytes);
      EXPECT_TRUE(r.bytes <= MoveList::kMaxRunBytes ||
                  r.pieceEnd - r.pieceBegin == 1);
      EXPECT_EQ(r.pieceBegin, pieces);
      pieces = r.pieceEnd;
      if (r.bytes > MoveList::kMaxPieceBytes)
        ++splits;
    }
    EXPECT_EQ(pieces, list.numPieces());
    // No more pieces than splitting each move into the longest pieces.
    size_t most = 0;
    for (const PlainMove &m : plain)
      most +=
          (m.bytes + MoveList::kMaxPieceBytes - 1) / MoveList::kMaxPieceBytes;
    EXPECT_LE(list.numPieces(), most);
    MoveList compact;
    compact.assignCompact(list);
    std::vector<PlainMove> again;
    compact.forEachPiece([&](const uint8_t *s, uint8_t *d, uint64_t b) {
      again.push_back({static_cast<size_t>(s - base),
                       static_cast<size_t>(d - base), static_cast<size_t>(b)});
    });
    EXPECT_EQ(joined(again), joined(plain));
  }
  EXPECT_GT(joins, 100);
}

TEST(SimMoveList, CopyRunsWritesWhatThePlainMovesWrite) {
  constexpr size_t kSize = 1 << 18;
  std::mt19937 rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<uint8_t> a(2 * kSize), b;
    for (uint8_t &x : a)
      x = static_cast<uint8_t>(rng());
    b = a;
    MoveList list;
    list.reset(a.data());
    std::vector<PlainMove> plain;
    // Sources in the first half, destinations in the second (disjoint, as
    // for a direct exchange), later ones overwriting earlier ones.
    for (int i = 0, n = 1 + rng() % 300; i < n; ++i) {
      size_t bytes = 1 + rng() % (rng() % 10 == 0 ? 70000 : 200);
      size_t src = rng() % (kSize - bytes);
      size_t dst = kSize + rng() % (kSize - bytes);
      if (!plain.empty() && rng() % 2) {
        dst = plain.back().dst + plain.back().bytes; // continue a run
        if (dst + bytes > 2 * kSize)
          continue;
      }
      list.append(a.data() + src, a.data() + dst, bytes, true);
      plain.push_back({src, dst, bytes});
    }
    for (const PlainMove &m : plain)
      std::memcpy(b.data() + m.dst, b.data() + m.src, m.bytes);
    // In two calls, as the thread pool's chunks would run them in turn.
    size_t half = list.numRuns() / 2;
    list.copyRuns(0, half);
    list.copyRuns(half, list.numRuns());
    EXPECT_EQ(a, b) << "trial " << trial;
  }
}

// Random exchanges of row/column blocks between two matrices split over
// three tiles in short pieces, and within one of them: the copies are
// packed moves in runs, and an exchange is direct or staged depending on
// whether any copy reads or rewrites bytes another writes. The result
// must be the snapshot semantics (every read before any write, later
// copies win), computed here by index arithmetic.
TEST(SimMoveList, RandomExchangesKeepSnapshotSemantics) {
  const int64_t rows = 24, cols = 40, n = rows * cols;
  std::mt19937 rng(3);
  for (int trial = 0; trial < 40; ++trial) {
    TB b;
    uint32_t k = b.addConstant("k", {rows, cols}, iota(n, 0));
    // a starts as k2 = k + n, so that values read from k and a differ.
    uint32_t k2 = b.addConstant("k2", {rows, cols}, iota(n, n));
    uint32_t a = b.addF32("a", {rows, cols});
    uint32_t y = b.addOutput("y", {rows, cols});
    mapSplit(b, k, n, 5 + rng() % 9, 0);
    mapSplit(b, k2, n, 7, 8192);
    mapSplit(b, a, n, 5 + rng() % 9, 4096);
    b.mapOn(y, 3, n, 0);
    b.add(TB::exchange(
        "init", {{{k2, {0, 0}, {rows, cols}}, {a, {0, 0}, {rows, cols}}}}));
    std::vector<float> want = iota(n, n); // a's values
    int steps = 1 + rng() % 3;
    for (int st = 0; st < steps; ++st) {
      std::vector<std::pair<BoxSpec, BoxSpec>> copies;
      std::vector<float> before = want, after = want;
      for (int c = 0, nc = 1 + rng() % 6; c < nc; ++c) {
        int64_t h = 1 + rng() % 8, w = 1 + rng() % 20;
        int64_t sr = rng() % (rows - h + 1), sc = rng() % (cols - w + 1);
        int64_t dr = rng() % (rows - h + 1), dc = rng() % (cols - w + 1);
        bool fromK = rng() % 2;
        copies.push_back(
            {{fromK ? k : a, {sr, sc}, {h, w}}, {a, {dr, dc}, {h, w}}});
        for (int64_t r = 0; r < h; ++r)
          for (int64_t q = 0; q < w; ++q) {
            int64_t from = (sr + r) * cols + sc + q;
            after[(dr + r) * cols + dc + q] =
                fromK ? static_cast<float>(from) : before[from];
          }
      }
      b.add(TB::exchange("x" + std::to_string(st), copies));
      want = after;
    }
    b.add(TB::exchange(
        "out", {{{a, {0, 0}, {rows, cols}}, {y, {0, 0}, {rows, cols}}}}));
    DeviceSpec dev;
    dev.sram = 1 << 16;
    plan::LoadedPlan lp = load(b.finish(dev));
    EXPECT_EQ(runAndRead(lp, "y", n, 1), want) << "trial " << trial;
    EXPECT_EQ(runAndRead(lp, "y", n, 2), want) << "trial " << trial;
  }
}

} // namespace
