//===- ExchangeParts.cpp - Exchanges decoded from shared parts ------------===//
//
// The step memo (StepMemo.h) shares whole steps. A transformer's matmul
// gathers are not whole repeats: each layer's gather copies the layer's
// activations, laid out as every other layer's, into staging tensors laid
// out alike, and beside them the layer's own weights, which live elsewhere.
// On the 12-layer encoder 96 % of the decoded pieces were such activation
// gathers, decoded again for every layer.
//
// So an exchange is split into copy groups: its copies between a source of
// one layout class and a destination of another, in plan order. An
// exchange some of whose groups equal a group of another exchange (the
// same copies of tensors of the same classes) becomes a composite of
// parts, each part decoded once (a DecodedExchange of Program::
// exchangeParts) and shared by every composite with a group equal to it.
//
// Running the parts one after another is running the exchange when it
// could have run direct: every part direct, no destination byte of one
// part a destination byte of another, and no destination byte of one a
// source byte of another. The first two are checked on the parts'
// destination ranges; for the last, a part's sources are taken as all of
// its source tensor's bytes, which costs a range per block instead of one
// per piece and only errs towards decoding whole. An exchange that fails
// any of these, or whose part does not decode, is decoded whole, as
// before (it may then need staging, or report its error). Its cycles are
// worked out from the parts' charges per tile, which add up to the same
// bytes per tile as its copies'.
//
//===----------------------------------------------------------------------===//

#include "Decoder.h"

#include <algorithm>
#include <utility>

namespace ipuc::sim::detail {

void Decoder::splitExchanges(const StepKeys &keys) {
  // The groups of each exchange job: copies keyed by the classes of their
  // boxes' tensors. An exchange has few groups, so they are found by a
  // scan from the last one used.
  std::vector<uint32_t> exchangeJobs;
  for (size_t k = 0; k < jobs.size(); ++k)
    if (jobs[k].kind == Job::Kind::Exchange)
      exchangeJobs.push_back(static_cast<uint32_t>(k));
  std::vector<std::vector<CopyGroup>> groupsOf(exchangeJobs.size());
  auto group = [&](size_t e) {
    const Job &job = jobs[exchangeJobs[e]];
    const Exchange &ex = *static_cast<const Exchange *>(job.table);
    std::vector<CopyGroup> &groups = groupsOf[e];
    std::vector<std::pair<uint64_t, uint64_t>> keyOf;
    size_t nc = ex.copies() ? ex.copies()->size() : 0, last = 0;
    for (uint32_t ci = 0; ci < nc; ++ci) {
      const ExchangeCopy &c = *ex.copies()->Get(ci);
      if (!c.src() || !c.dst()) {
        groups.clear(); // decoded whole, which reports it
        return;
      }
      std::pair<uint64_t, uint64_t> key(keys.classOf(c.src()->tensor()),
                                        keys.classOf(c.dst()->tensor()));
      if (keyOf.empty() || keyOf[last] != key) {
        last = std::find(keyOf.begin(), keyOf.end(), key) - keyOf.begin();
        if (last == keyOf.size()) {
          keyOf.push_back(key);
          groups.emplace_back();
          groups.back().ex = &ex;
          groups.back().step = job.index;
          groups.back().srcTensor = c.src()->tensor();
        }
      }
      groups[last].copies.push_back(ci);
    }
    if (groups.size() < 2)
      groups.clear(); // one group is the whole exchange: the memo's
  };
  if (pool && exchangeJobs.size() > 1)
    pool->parallelFor(exchangeJobs.size(), group);
  else
    for (size_t e = 0; e < exchangeJobs.size(); ++e)
      group(e);
  // All groups, in job order; the first of equal content for each.
  std::vector<CopyGroup> all;
  std::vector<uint32_t> firstGroup(exchangeJobs.size() + 1, 0);
  for (size_t e = 0; e < exchangeJobs.size(); ++e) {
    firstGroup[e] = static_cast<uint32_t>(all.size());
    for (CopyGroup &g : groupsOf[e])
      all.push_back(std::move(g));
  }
  firstGroup[exchangeJobs.size()] = static_cast<uint32_t>(all.size());
  std::vector<uint32_t> first = firstOfEqual(
      all.size(), [&](size_t i) { return keys.hash(*all[i].ex, all[i].copies); },
      [&](size_t i, size_t j) {
        return keys.same(*all[i].ex, all[i].copies, *all[j].ex,
                         all[j].copies);
      },
      pool);
  // A group is shared when another group has its content; groups of one
  // exchange differ in their classes, so that other is another exchange's.
  std::vector<uint32_t> equals(all.size(), 0);
  for (uint32_t f : first)
    ++equals[f];
  std::vector<Job> kept;
  size_t e = 0;
  for (const Job &job : jobs) {
    if (job.kind != Job::Kind::Exchange) {
      kept.push_back(job);
      continue;
    }
    uint32_t b = firstGroup[e], end = firstGroup[e + 1];
    ++e;
    bool split = false;
    for (uint32_t g = b; g < end; ++g)
      split = split || equals[first[g]] > 1;
    if (!split) {
      kept.push_back(job);
      continue;
    }
    Composite c;
    c.ex = static_cast<const Exchange *>(job.table);
    c.step = job.index;
    c.body = job.body;
    c.order = job.order;
    for (uint32_t g = b; g < end; ++g) {
      CopyGroup &group = all[g];
      // The first of equal content comes first: its part exists already.
      if (first[g] == g) {
        group.part = static_cast<uint32_t>(prog.exchangeParts.size());
        prog.exchangeParts.emplace_back();
        kept.push_back({job.table, static_cast<uint32_t>(copyGroups.size()),
                        group.part, Job::Kind::ExchangePart, job.order});
      } else {
        group.part = all[first[g]].part;
      }
      c.groups.push_back(static_cast<uint32_t>(copyGroups.size()));
      copyGroups.push_back(std::move(group));
    }
    composites.push_back(std::move(c));
  }
  jobs = std::move(kept);
}

void Decoder::decodePart(uint32_t group, uint32_t part, Scratch &s) {
  const CopyGroup &g = copyGroups[group];
  DecodedExchange &p = prog.exchangeParts[part];
  std::string error;
  if (!decodeCopies(*g.ex, g.copies.data(), g.copies.size(),
                    prog.exchangeSteps[g.step], p, s, error)) {
    p = DecodedExchange();
    return;
  }
  for (uint32_t tile : s.touched)
    p.tileBytes.push_back({tile, s.sent[tile], s.received[tile]});
  clearCharges(s);
  p.chipBytes = s.perChip;
  chooseDirect(p, s);
  partDirect[part] = p.direct;
  if (!p.direct) {
    p = DecodedExchange(); // its composites are decoded whole
    return;
  }
  // Direct: no destination byte is written twice, so the ranges are
  // disjoint once sorted.
  for (const MoveList::Run &r : p.moves.runs())
    p.destinations.push_back({r.dst, r.dst + r.bytes});
  for (const StridedCopy &sc : p.strided)
    sc.forEachPiece([&](const uint8_t *, uint8_t *d, uint64_t n) {
      p.destinations.push_back({d, d + n});
    });
  std::sort(p.destinations.begin(), p.destinations.end());
}

bool Decoder::partsDisjoint(const Composite &c) const {
  // Every part's destination ranges, tagged with their part and sorted: one
  // list that each source range is looked up in once, where a lookup per
  // other part cost 6 % of a 12-layer encoder's run (~10 k source ranges
  // times 6 parts' lists per composite).
  struct Tagged {
    const uint8_t *begin, *end;
    uint32_t part;
  };
  std::vector<Tagged> all;
  for (uint32_t i = 0; i < c.groups.size(); ++i)
    for (const auto &[begin, end] :
         prog.exchangeParts[copyGroups[c.groups[i]].part].destinations)
      all.push_back({begin, end, i});
  std::sort(all.begin(), all.end(),
            [](const Tagged &a, const Tagged &b) { return a.begin < b.begin; });
  // A part's own ranges are disjoint, so a range that starts before an
  // earlier one ends is two parts writing the same bytes.
  const uint8_t *reach = nullptr;
  for (const Tagged &t : all) {
    if (t.begin < reach)
      return false;
    reach = t.end;
  }
  // Now disjoint and sorted by end too. A part's source tensor may meet its
  // own destinations (it was made direct against its actual sources), not
  // another part's. Every part's source ranges, sorted, are merged with the
  // destinations in one pass: a binary search per source range (13 k of
  // them in a composite of a 12-layer encoder) was 3 % of its run.
  std::vector<Tagged> sources;
  for (uint32_t i = 0; i < c.groups.size(); ++i)
    layouts[copyGroups[c.groups[i]].srcTensor].forEachAddressRange(
        [&](uint32_t tile, uint64_t b, uint64_t e) {
          const uint8_t *base = memory.tile(tile);
          sources.push_back({base + b, base + e, i});
        });
  std::sort(sources.begin(), sources.end(),
            [](const Tagged &a, const Tagged &b) { return a.begin < b.begin; });
  // Destinations ending at or before a source's begin end before every
  // later source's too.
  size_t first = 0;
  for (const Tagged &src : sources) {
    while (first < all.size() && all[first].end <= src.begin)
      ++first;
    for (size_t k = first; k < all.size() && all[k].begin < src.end; ++k)
      if (all[k].part != src.part)
        return false;
  }
  return true;
}

bool Decoder::compose(const Composite &c, Scratch &s, std::string &error) {
  DecodedExchange &p = prog.exchanges[c.body];
  bool parts = true;
  for (uint32_t g : c.groups)
    parts = parts && partDirect[copyGroups[g].part];
  if (!parts || !partsDisjoint(c))
    return decodeExchange(*c.ex, prog.exchangeSteps[c.step], p, s, error);
  s.touched.clear();
  s.perChip.assign(dev.numChips, {0, 0});
  for (uint32_t g : c.groups) {
    uint32_t part = copyGroups[g].part;
    const DecodedExchange &q = prog.exchangeParts[part];
    p.parts.push_back(part);
    p.bytes += q.bytes;
    p.sourceTensors.insert(p.sourceTensors.end(), q.sourceTensors.begin(),
                           q.sourceTensors.end());
    for (const DecodedExchange::TileBytes &t : q.tileBytes) {
      if (!s.sent[t.tile] && !s.received[t.tile])
        s.touched.push_back(t.tile);
      s.sent[t.tile] += t.sent;
      s.received[t.tile] += t.received;
    }
    for (size_t chip = 0; chip < q.chipBytes.size(); ++chip) {
      s.perChip[chip].first += q.chipBytes[chip].first;
      s.perChip[chip].second += q.chipBytes[chip].second;
    }
  }
  finishCycles(s, p);
  sortUnique(p.sourceTensors);
  p.direct = true;
  if (p.bytes >= 2 * kExchangeChunkBytes)
    for (uint32_t part : p.parts)
      for (size_t c = 0; c < prog.exchangeParts[part].numChunks(); ++c)
        p.partChunks.push_back({part, static_cast<uint32_t>(c)});
  return true;
}

} // namespace ipuc::sim::detail
