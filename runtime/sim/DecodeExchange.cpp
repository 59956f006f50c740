//===- DecodeExchange.cpp - Read a plan's exchanges into moves ------------===//
//
// The exchange half of the decoder (Decode.cpp has the rest): each copy's
// source and destination boxes become byte moves or strided copies between
// tile memories, transposing copies per element; the exchange's cycles are
// charged per tile and chip; and an exchange whose destinations no copy
// reads or writes twice is marked direct, copied straight across instead of
// through a staging buffer.
//
//===----------------------------------------------------------------------===//

#include "Decoder.h"

#include "LayoutCopy.h"

#include <algorithm>
#include <utility>

namespace ipuc::sim::detail {

void Decoder::chooseDirect(DecodedExchange &p, Scratch &s) const {
  // Safe to copy straight across if no destination byte is written twice or
  // read by any copy: destinations are marked byte by byte, then sources
  // looked up, in time linear in the number of contiguous pieces. A run of
  // moves writes one contiguous range, marked at once. Strided copies take
  // part piece by piece, so copies that interleave (column blocks of one
  // matrix) are judged on the bytes they really touch.
  const MoveList &moves = s.moves;
  ByteMarks &marks = s.marks;
  if (!marks.covers(memory.arenaBegin()))
    marks.reset(memory.arenaBegin(), memory.allocatedBytes());
  // The coarsest granule exact for every range: 4-byte elements need a
  // quarter of the bitmap's cache lines. (A run's destinations are its
  // start plus sums of its moves' lengths: the same granule as folding in
  // each move's. The sources were folded in as they were appended; the
  // list's base is the bitmap's.)
  uint64_t alignment = moves.sourceAlignment();
  for (const MoveList::Run &r : moves.runs())
    alignment = marks.foldAlignment(alignment, r.dst, r.bytes);
  for (const StridedCopy &c : p.strided) {
    alignment = marks.foldAlignment(marks.foldAlignment(alignment, c.dst, 0),
                                    c.src, c.inner);
    for (uint32_t d = 0; d < c.rank; ++d)
      alignment |= static_cast<uint64_t>(c.srcStride[d]) |
                   static_cast<uint64_t>(c.dstStride[d]);
  }
  marks.setGranule(ByteMarks::granuleShift(alignment));
  bool disjoint = true;
  for (const MoveList::Run &r : moves.runs())
    if (!(disjoint = marks.mark(r.dst, r.bytes)))
      break;
  for (size_t i = 0; disjoint && i < p.strided.size(); ++i)
    p.strided[i].forEachPiece([&](const uint8_t *, uint8_t *d, uint64_t n) {
      disjoint = disjoint && marks.mark(d, n);
    });
  if (disjoint) {
    // Sources are scattered over the arena, so each lookup would wait for
    // its bitmap word: the word of the source 16 moves on is requested first.
    constexpr size_t kAhead = 16;
    for (size_t k = 0, n = moves.numPieces(); disjoint && k < n; ++k) {
      if (k + kAhead < n)
        marks.prefetch(moves.source(k + kAhead));
      disjoint = !marks.anyMarked(moves.source(k), moves.length(k));
    }
    for (size_t i = 0; disjoint && i < p.strided.size(); ++i)
      p.strided[i].forEachPiece([&](const uint8_t *src, uint8_t *, uint64_t n) {
        disjoint = disjoint && !marks.anyMarked(src, n);
      });
  }
  // Left unmarked for the next exchange this thread decodes.
  marks.clearAll();
  if (!disjoint) {
    // Staged: every source into one staging buffer, in plan order.
    std::vector<uint64_t> movesAt, stridedAt;
    uint64_t offset = 0;
    size_t k = 0;
    std::vector<uint64_t> pieceBytes;
    pieceBytes.reserve(moves.numPieces());
    moves.forEachPiece([&](const uint8_t *, uint8_t *, uint64_t n) {
      pieceBytes.push_back(n);
    });
    size_t m = 0;
    for (size_t span = 0; span < p.order.size(); ++span)
      for (uint32_t i = 0; i < p.order[span]; ++i) {
        if (span % 2 == 0) {
          movesAt.push_back(offset);
          offset += pieceBytes[m++];
        } else {
          stridedAt.push_back(offset);
          offset += p.strided[k++].bytes();
        }
      }
    p.staging.resize(offset);
    uint8_t *base = p.staging.data();
    p.src.reserve(moves.numPieces());
    p.dst.reserve(moves.numPieces());
    size_t i = 0;
    moves.forEachPiece([&](const uint8_t *src, uint8_t *dst, uint64_t n) {
      p.src.push_back({const_cast<uint8_t *>(src), movesAt[i], n});
      p.dst.push_back({dst, movesAt[i], n});
      ++i;
    });
    for (size_t i = 0; i < p.strided.size(); ++i) {
      p.gathers.push_back(packedDestination(p.strided[i], base + stridedAt[i]));
      p.scatters.push_back(packedSource(p.strided[i], base + stridedAt[i]));
    }
    p.moves.release();
    p.strided = {};
    return;
  }
  p.direct = true;
  // Out of the thread's scratch into arrays of their exact size.
  p.moves.assignCompact(moves);
  if (p.bytes >= 2 * kExchangeChunkBytes) {
    uint64_t acc = 0;
    const std::vector<MoveList::Run> &runs = p.moves.runs();
    size_t n = runs.size() + p.strided.size();
    p.chunks.push_back(0);
    for (size_t i = 0; i < n; ++i) {
      acc +=
          i < runs.size() ? runs[i].bytes : p.strided[i - runs.size()].bytes();
      if (acc >= kExchangeChunkBytes) {
        p.chunks.push_back(static_cast<uint32_t>(i + 1));
        acc = 0;
      }
    }
    if (p.chunks.back() != n)
      p.chunks.push_back(static_cast<uint32_t>(n));
  }
}

// Inline: it runs for each of a big plan's 15 M pieces, from the walk's
// callback.
inline void Decoder::chargeCopy(Scratch &s, uint32_t from, uint32_t to,
                                uint64_t bytes, DecodedExchange &p) {
  std::vector<uint64_t> &sent = s.sent, &received = s.received;
  std::vector<uint32_t> &touched = s.touched;
  // On-tile bytes still pass through the tile's exchange port: charged as
  // sent and received (docs/cost-model.md).
  if (!sent[from] && !received[from])
    touched.push_back(from);
  sent[from] += bytes;
  if (!sent[to] && !received[to])
    touched.push_back(to);
  received[to] += bytes;
  p.bytes += bytes;
  // One chip has no chip-to-chip traffic: no divisions per piece then.
  if (dev.numChips == 1)
    return;
  uint32_t sc = from / dev.tilesPerChip, dc = to / dev.tilesPerChip;
  if (sc != dc) {
    s.perChip[sc].first += bytes;
    s.perChip[dc].second += bytes;
  }
}

namespace {
/// Appends a contiguous move, joined to the previous one when it continues
/// it on both sides (and no strided copy came between them).
void appendMove(DecodedExchange &p, MoveList &moves, const uint8_t *src,
                uint8_t *dst, uint64_t bytes) {
  if (p.order.size() % 2 == 0)
    p.order.push_back(0);
  p.order.back() += moves.append(src, dst, bytes, p.order.back() != 0);
}

void appendStrided(DecodedExchange &p, const StridedCopy &c) {
  // Spans alternate moves, strided: an odd count means moves are open.
  if (p.order.empty())
    p.order.push_back(0);
  if (p.order.size() % 2 == 1)
    p.order.push_back(0);
  p.strided.push_back(c);
  ++p.order.back();
}} // namespace

void Decoder::reachExchange(const Exchange &ex, uint32_t &index) {
  if (auto it = seenExchanges.find(&ex); it != seenExchanges.end()) {
    index = it->second;
    return;
  }
  index = static_cast<uint32_t>(prog.exchangeSteps.size());
  seenExchanges.emplace(&ex, index);
  prog.exchangeSteps.emplace_back();
  prog.exchangeSteps.back().profile = prog.profile.size();
  StepProfile prof;
  prof.name = ex.name() ? ex.name()->str() : "";
  prof.loc = ex.loc() ? ex.loc()->str() : "";
  prof.kind = "exchange";
  prog.profile.push_back(prof);
  jobs.push_back({&ex, index, 0, Job::Kind::Exchange});
}

bool Decoder::decodePermutedRuns(Scratch &s, const ExchangeCopy &c,
                                 const std::function<std::string()> &where,
                                 DecodedExchange &p, std::string &error) {
  const Box &sb = *c.src(), &db = *c.dst();
  if (!boxSegments(
          s, sb, [&] { return where() + " source"; }, error))
    return false;
  std::vector<Segment> srcSegs = s.segs;
  if (!boxSegments(
          s, db, [&] { return where() + " destination"; }, error))
    return false;
  const std::vector<Segment> &dstSegs = s.segs;
  const TensorLayout &sl = layouts[sb.tensor()];
  size_t rank = sl.shape.size(), elem = sl.elemSize;
  // Element k of a box (row-major) is at byte k * elem of its segments'
  // packed order (Segment::bufOffset).
  auto at = [&](const std::vector<Segment> &segs, uint64_t byte) {
    auto it = std::upper_bound(
        segs.begin(), segs.end(), byte,
        [](uint64_t v, const Segment &g) { return v < g.bufOffset; });
    const Segment &g = *std::prev(it);
    return std::pair<uint32_t, uint64_t>(g.tile,
                                         g.address + (byte - g.bufOffset));
  };
  std::vector<int64_t> srcStride(rank), j(rank, 0);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    srcStride[d] = stride;
    stride *= sb.sizes()->Get(d);
  }
  const int64_t *perm = c.perm()->data(), *dsz = db.sizes()->data();
  int64_t total = 1;
  for (size_t d = 0; d < rank; ++d)
    total *= dsz[d];
  for (int64_t k = 0; k < total; ++k) {
    int64_t from = 0;
    for (size_t d = 0; d < rank; ++d)
      from += j[d] * srcStride[perm[d]];
    auto [st, sa] = at(srcSegs, static_cast<uint64_t>(from) * elem);
    auto [dt, da] = at(dstSegs, static_cast<uint64_t>(k) * elem);
    chargeCopy(s, st, dt, elem, p);
    appendMove(p, s.moves, memory.tile(st) + sa, memory.tile(dt) + da, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++j[d] < dsz[d])
        break;
      j[d] = 0;
    }
  }
  return true;
}

bool Decoder::decodeCopies(const Exchange &ex, const uint32_t *copies,
                           size_t count, const ProgramStep &step,
                           DecodedExchange &p, Scratch &s, std::string &error) {
  // The profile entry is only read here, never written: other threads
  // append to nothing while jobs run.
  const StepProfile &prof = prog.profile[step.profile];
  std::vector<Segment> &srcSegs = s.srcSegs, &segs = s.segs;
  s.perChip.assign(dev.numChips, {0, 0});
  s.touched.clear();
  s.moves.reset(memory.arenaBegin());
  // A part's error is not the decode's (the exchange is then decoded
  // whole): the scratch is left clean for the thread's next job.
  auto fail = [&] {
    clearCharges(s);
    return false;
  };
  for (size_t k = 0; k < count; ++k) {
    uint32_t ci = copies ? copies[k] : static_cast<uint32_t>(k);
    const ExchangeCopy &c = *ex.copies()->Get(ci);
    auto where = [&] {
      return fmt::format("exchange '{}' at {}: copy {}", prof.name,
                         locOrUnknown(prof.loc), ci);
    };
    const Box &sb = *c.src(), &db = *c.dst();
    if (p.sourceTensors.empty() || p.sourceTensors.back() != sb.tensor())
      p.sourceTensors.push_back(sb.tensor());
    const TensorLayout &sl = layouts[sb.tensor()], &dl = layouts[db.tensor()];
    const int64_t *so = sb.offsets() ? sb.offsets()->data() : nullptr;
    const int64_t *ss = sb.sizes() ? sb.sizes()->data() : nullptr;
    const int64_t *dof = db.offsets() ? db.offsets()->data() : nullptr;
    const int64_t *ds = db.sizes() ? db.sizes()->data() : nullptr;
    int64_t n = 1;
    for (size_t d = 0; d < sl.shape.size(); ++d)
      n *= ss[d];
    // A transposing copy; the identity takes the paths below.
    const int64_t *perm = nullptr;
    if (c.perm())
      for (uint32_t d = 0; d < c.perm()->size(); ++d)
        if (c.perm()->Get(d) != d)
          perm = c.perm()->data();
    StridedCopy sc;
    BoxPlace sp, dp;
    if (sl.mapped && dl.mapped && n > 0 &&
        (perm ? describePermutedCopy(sl, so, ss, dl, dof, ds, perm, sc, sp, dp)
              : describeBoxCopy(sl, so, ss, dl, dof, ds, sc, sp, dp))) {
      // One tile each side: O(rank), whatever the number of runs.
      sc.src = memory.tile(sp.tile) + sp.address;
      sc.dst = memory.tile(dp.tile) + dp.address;
      chargeCopy(s, sp.tile, dp.tile, sc.bytes(), p);
      if (sc.rank)
        appendStrided(p, sc);
      else
        appendMove(p, s.moves, sc.src, sc.dst, sc.inner);
      continue;
    }
    if (perm) {
      if (!decodePermutedRuns(s, c, where, p, error))
        return fail();
      continue;
    }
    // Boxes across intervals: their pieces found by walking both layouts
    // (LayoutCopy.h), in O(rank) per row instead of listing each box's
    // segments and pairing them; the same pieces, moves and charges.
    LayoutCopy lc;
    if (sl.mapped && dl.mapped &&
        describeLayoutCopy(sl, so, ss, dl, dof, ds, lc)) {
      // The walk is checked: an element no interval holds stops it, and the
      // run-by-run decode below then reports that element (its search fails
      // on the same sorted intervals), so what was appended never counts.
      if (lc.forEachPiece<true>(memory,
                                [&](uint32_t from, const uint8_t *sp,
                                    uint32_t to, uint8_t *dp, uint64_t bytes) {
                                  chargeCopy(s, from, to, bytes, p);
                                  appendMove(p, s.moves, sp, dp, bytes);
                                  return true;
                                }))
        continue;
    }
    if (!boxSegments(
            s, sb, [&] { return where() + " source"; }, error))
      return fail();
    srcSegs.swap(segs);
    if (!boxSegments(
            s, db, [&] { return where() + " destination"; }, error))
      return fail();
    // Pair source and destination runs: each pair is one move, and charges
    // its bytes to the (from, to) tiles.
    size_t i = 0, j = 0;
    uint64_t pos = 0;
    while (i < srcSegs.size() && j < segs.size()) {
      const Segment &sg = srcSegs[i], &d = segs[j];
      uint64_t end = std::min(sg.bufOffset + sg.bytes, d.bufOffset + d.bytes);
      uint64_t bytes = end - pos;
      chargeCopy(s, sg.tile, d.tile, bytes, p);
      appendMove(p, s.moves,
                 memory.tile(sg.tile) + sg.address + (pos - sg.bufOffset),
                 memory.tile(d.tile) + d.address + (pos - d.bufOffset), bytes);
      pos = end;
      if (pos == sg.bufOffset + sg.bytes)
        ++i;
      if (pos == d.bufOffset + d.bytes)
        ++j;
    }
  }
  sortUnique(p.sourceTensors);
  return true;
}

void Decoder::finishCycles(Scratch &s, DecodedExchange &p) const {
  double maxTile = 0;
  for (uint32_t tile : s.touched) {
    maxTile = std::max(maxTile,
                       tileExchangeCycles(dev, s.sent[tile], s.received[tile]));
    s.sent[tile] = s.received[tile] = 0;
  }
  uint64_t maxChip = 0;
  for (auto &[out, in] : s.perChip)
    maxChip = std::max({maxChip, out, in});
  p.cycles = exchangePhaseCycles(dev, maxTile, maxChip);
}

bool Decoder::decodeExchange(const Exchange &ex, const ProgramStep &step,
                             DecodedExchange &p, Scratch &s,
                             std::string &error) {
  size_t nc = ex.copies() ? ex.copies()->size() : 0;
  if (!decodeCopies(ex, nullptr, nc, step, p, s, error))
    return false;
  finishCycles(s, p);
  chooseDirect(p, s);
  return true;
}

} // namespace ipuc::sim::detail
