//===- TileProgramVerifier.cpp - Semantic checks of a tile program --------===//
//
// The "ipu" target's half of the semantic verifier (Verifier.cpp has the
// tensors, bindings and host kernels): tile mappings fit their tiles'
// memory, every vertex's and copy's boxes lie inside their tensors (and, for
// vertices, on their tile), streams cover their tensors, repeats nest
// boundedly. A big tile program has millions of records, so mappings and
// steps are checked on threads, reporting the first error in plan order.
//
//===----------------------------------------------------------------------===//

#include "SemanticVerifier.h"

#include "ipuc/support/OrderedJobs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

namespace ipuc::plan::detail {

/// Below this many records a verifier checks on the calling thread:
/// starting threads would cost more than it saves.
constexpr size_t kParallelRecords = 20000;

template <typename Check>
bool SemanticVerifier::runInOrder(size_t n, size_t work, Check check) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1 || n < 2 || work < kParallelRecords) {
    for (size_t j = 0; j < n; ++j)
      if (!check(*this, j))
        return false;
    return true;
  }
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  support::OrderedJobs ordered(n);
  auto drain = [&] {
    SemanticVerifier w(*this);
    ordered.drain([&](size_t j, std::string &jobError) {
      if (check(w, j))
        return true;
      jobError = std::move(w.error);
      return false;
    });
  };
  support::runDrains(threads, drain);
  std::string firstError;
  if (ordered.firstFailure(firstError) < n)
    return fail(std::move(firstError));
  return true;
}

/// Repeat loops nest at most this deep; the simulator recurses per level.
constexpr int kMaxRepeatDepth = 16;

bool SemanticVerifier::checkTileProgram() {
  const TileProgram *tp = plan.tile_program();
  std::string target = plan.target() ? plan.target()->str() : "";
  if (!tp) {
    if (target == "ipu")
      return fail("the plan targets 'ipu' but has no tile program");
    return true;
  }
  const Device *d = plan.device();
  if (!d || d->tiles_per_chip() == 0 || d->sram_bytes_per_tile() == 0)
    return fail("the plan has a tile program but its device has no tiles or "
                "no tile memory");
  mapped.assign(numel.size(), false);
  mappingOf.assign(numel.size(), nullptr);
  if (!checkTileImage() || !checkMappings())
    return false;
  for (size_t t = 0; t < imageOnly.size(); ++t)
    if (imageOnly[t] && !mapped[t])
      return fail(fmt::format("constant tensor {} has no data and no tile "
                              "mapping to find it in the tile image",
                              tensorLabel(plan, t)));
  auto bound = [&](auto *bindings, const char *what) {
    if (bindings)
      for (const Binding *b : *bindings)
        if (!mapped[b->tensor()])
          return fail(fmt::format("{} '{}' is bound to tensor {}, which has "
                                  "no tile mapping",
                                  what, b->name() ? b->name()->str() : "",
                                  tensorLabel(plan, b->tensor())));
    return true;
  };
  if (!bound(plan.inputs(), "input") || !bound(plan.outputs(), "output"))
    return false;
  // Compute sets and exchanges, most of the work, are checked after the
  // walk and in parallel; a walk error (a host stream, a repeat count) is
  // reported after theirs, as a check of one step after the other would:
  // the walk stops at its error, so only the steps before it are jobs.
  bool walked = walkSteps(tp->steps(), 0);
  std::string walkError = std::move(error);
  error.clear();
  jobTensors.assign(jobs.size(), {});
  if (!runInOrder(jobs.size(), jobWork, [&](SemanticVerifier &w, size_t j) {
        const Job &job = jobs[j];
        bool ok =
            job.exchange
                ? w.checkExchange(*static_cast<const Exchange *>(job.table))
                : w.checkComputeSet(
                      *static_cast<const ComputeSet *>(job.table));
        // Each job writes only its own entry.
        if (ok && job.rerunTarget)
          jobTensors[j] = tensorsOfJob(j);
        return ok;
      }))
    return false;
  for (size_t r = 0; r < reruns.size(); ++r)
    if (!checkRerunTensors(r))
      return false;
  return walked || fail(std::move(walkError));
}

bool SemanticVerifier::checkMappings() {
  auto *maps = plan.tile_program()->mappings();
  if (!maps)
    return true;
  // Which tensor each mapping claims, in order; the intervals of the
  // mappings before the first bad claim are then checked in parallel, and a
  // bad interval there is reported before the claim, as a check of one
  // mapping after the other would.
  size_t claimed = 0;
  for (; claimed < maps->size(); ++claimed) {
    const TensorMapping &m = *maps->Get(claimed);
    std::string where = fmt::format("tile mapping {}", claimed);
    if (!checkTensorIndex(where, "tensor", m.tensor()))
      break;
    if (mapped[m.tensor()]) {
      fail(fmt::format("{}: tensor {} is mapped twice", where,
                       tensorLabel(plan, m.tensor())));
      break;
    }
    mapped[m.tensor()] = true;
    mappingOf[m.tensor()] = &m;
  }
  std::string claimError = std::move(error);
  error.clear();
  // The checks of a mapping depend only on its intervals and its tensor's
  // element count, element size and image-only constancy; the compiler
  // shares one interval vector among the tensors of one mapping (the
  // activations of repeated layers), so each such combination is checked
  // once, at its first mapping.
  std::vector<size_t> distinct;
  std::set<std::tuple<const void *, int64_t, size_t, bool>> seen;
  size_t work = 0;
  for (size_t mi = 0; mi < claimed; ++mi) {
    const TensorMapping &m = *maps->Get(mi);
    uint32_t t = m.tensor();
    if (m.intervals() &&
        !seen.emplace(m.intervals(), numel[t],
                      dtypeSize(plan.tensors()->Get(t)->dtype()), imageOnly[t])
             .second)
      continue;
    distinct.push_back(mi);
    if (m.intervals())
      work += m.intervals()->size();
  }
  if (!runInOrder(distinct.size(), work, [&](SemanticVerifier &w, size_t j) {
        return w.checkMappingIntervals(distinct[j]);
      }))
    return false;
  return claimError.empty() || fail(std::move(claimError));
}

bool SemanticVerifier::checkTileImage() {
  const TileImage *image = plan.tile_program()->image();
  const Device &d = *plan.device();
  uint64_t tiles = deviceTiles();
  imageRangeOfTile.assign(image ? tiles : 0, -1);
  if (!image || !image->ranges())
    return true;
  imageRanges = image->ranges();
  uint64_t have = image->bytes() ? image->bytes()->size() : 0;
  int64_t lastTile = -1;
  for (size_t i = 0; i < image->ranges()->size(); ++i) {
    const TileImageRange &r = *image->ranges()->Get(i);
    std::string where = fmt::format("tile image range {}", i);
    if (r.tile() >= tiles)
      return fail(fmt::format("{}: tile {} does not exist (the device has {} "
                              "tiles)",
                              where, r.tile(), tiles));
    if (static_cast<int64_t>(r.tile()) <= lastTile)
      return fail(fmt::format("{}: tile {} comes after tile {}; the ranges "
                              "must be in increasing tile order, one per tile",
                              where, r.tile(), lastTile));
    lastTile = r.tile();
    if (static_cast<I128>(r.address()) + r.size() > d.sram_bytes_per_tile())
      return fail(fmt::format("{}: {} bytes at byte {} of tile {} are "
                              "outside its {} bytes of memory",
                              where, r.size(), r.address(), r.tile(),
                              d.sram_bytes_per_tile()));
    if (static_cast<I128>(r.offset()) + r.size() > have)
      return fail(fmt::format("{}: image bytes [{}, +{}) are outside the {} "
                              "bytes of the image",
                              where, r.offset(), r.size(), have));
    imageRangeOfTile[r.tile()] = static_cast<int32_t>(i);
  }
  return true;
}

bool SemanticVerifier::checkInImage(const std::string &where,
                                    const std::string &label,
                                    const TileInterval &iv, size_t elem) {
  int32_t ri = imageRangeOfTile[iv.tile()];
  I128 end = static_cast<I128>(iv.address()) +
             static_cast<I128>(iv.end() - iv.begin()) * elem;
  if (ri >= 0) {
    const TileImageRange &r = *imageRanges->Get(ri);
    if (iv.address() >= r.address() &&
        end <= static_cast<I128>(r.address()) + r.size())
      return true;
  }
  return fail(fmt::format("{}: constant tensor {} has no data, and its "
                          "elements [{}, {}) at bytes [{}, {}) of tile {} are "
                          "not in the tile image",
                          where, label, iv.begin(), iv.end(), iv.address(),
                          static_cast<uint64_t>(end), iv.tile()));
}

bool SemanticVerifier::checkMappingIntervals(size_t mi) {
  uint64_t tiles = deviceTiles();
  uint64_t sram = plan.device()->sram_bytes_per_tile();
  const TensorMapping &m = *plan.tile_program()->mappings()->Get(mi);
  std::string where = fmt::format("tile mapping {}", mi);
  uint32_t t = m.tensor();
  std::string label = tensorLabel(plan, t);
  size_t elem = dtypeSize(plan.tensors()->Get(t)->dtype());
  ivs.clear();
  if (m.intervals())
    for (const TileInterval *iv : *m.intervals())
      ivs.push_back(iv);
  for (const TileInterval *iv : ivs) {
    if (iv->begin() < 0 || iv->end() < iv->begin() || iv->end() > numel[t])
      return fail(fmt::format("{}: interval [{}, {}) of tensor {} is not "
                              "inside its {} elements",
                              where, iv->begin(), iv->end(), label, numel[t]));
    if (iv->tile() >= tiles)
      return fail(fmt::format("{}: tensor {} is mapped to tile {}, but the "
                              "device has {} tiles",
                              where, label, iv->tile(), tiles));
    I128 bytes = static_cast<I128>(iv->end() - iv->begin()) * elem;
    if (static_cast<I128>(iv->address()) + bytes > sram)
      return fail(fmt::format(
          "{}: tensor {} elements [{}, {}) need bytes [{}, {}) on tile {}, "
          "but a tile has {} bytes",
          where, label, iv->begin(), iv->end(), iv->address(),
          static_cast<uint64_t>(iv->address() + bytes), iv->tile(), sram));
    if (imageOnly[t] && iv->end() > iv->begin() &&
        !checkInImage(where, label, *iv, elem))
      return false;
  }
  // Every element on exactly one tile: sorted intervals tile [0, numel).
  // The compiler writes them in element order, so usually no sort.
  auto byBegin = [](auto *a, auto *b) { return a->begin() < b->begin(); };
  if (!std::is_sorted(ivs.begin(), ivs.end(), byBegin))
    std::sort(ivs.begin(), ivs.end(), byBegin);
  int64_t next = 0;
  for (const TileInterval *iv : ivs) {
    if (iv->begin() == iv->end())
      continue;
    if (iv->begin() != next)
      return fail(fmt::format("{}: tensor {} element {} is {}", where, label,
                              std::min(next, iv->begin()),
                              iv->begin() > next ? "not mapped to any tile"
                                                 : "mapped more than once"));
    next = iv->end();
  }
  if (next != numel[t])
    return fail(fmt::format("{}: tensor {} element {} is not mapped to any "
                            "tile",
                            where, label, next));
  // Two intervals of one tensor must not share bytes of a tile. The
  // compiler places a tensor's pieces on a tile in element order, so
  // usually each tile's intervals, in element order, already start at or
  // after the end of the one before: then none overlap, and no sort by
  // address is needed.
  if (tileEnd.size() != tiles) {
    tileEnd.assign(tiles, 0);
    tileSeen.assign(tiles, 0);
    seenStamp = 0;
  }
  if (++seenStamp == 0) {
    std::fill(tileSeen.begin(), tileSeen.end(), 0);
    seenStamp = 1;
  }
  bool inAddressOrder = true;
  for (const TileInterval *iv : ivs) {
    if (iv->begin() == iv->end())
      continue;
    uint64_t end = iv->address() + (iv->end() - iv->begin()) * elem;
    if (tileSeen[iv->tile()] == seenStamp &&
        iv->address() < tileEnd[iv->tile()]) {
      inAddressOrder = false;
      break;
    }
    tileSeen[iv->tile()] = seenStamp;
    tileEnd[iv->tile()] = end;
  }
  if (inAddressOrder)
    return true;
  std::sort(ivs.begin(), ivs.end(), [](auto *a, auto *b) {
    return std::make_pair(a->tile(), a->address()) <
           std::make_pair(b->tile(), b->address());
  });
  for (size_t i = 1; i < ivs.size(); ++i) {
    const TileInterval *a = ivs[i - 1], *b = ivs[i];
    if (a->tile() == b->tile() && a->end() > a->begin() &&
        b->end() > b->begin() &&
        a->address() + (a->end() - a->begin()) * elem > b->address())
      return fail(fmt::format("{}: intervals [{}, {}) and [{}, {}) of tensor "
                              "{} overlap in the memory of tile {}",
                              where, a->begin(), a->end(), b->begin(), b->end(),
                              label, a->tile()));
  }
  return true;
}

bool SemanticVerifier::checkCopyPerm(const std::string &where,
                                     const ExchangeCopy &c) {
  const auto &perm = *c.perm();
  size_t rank = perm.size();
  size_t rs = c.src()->sizes() ? c.src()->sizes()->size() : 0;
  size_t rd = c.dst()->sizes() ? c.dst()->sizes()->size() : 0;
  if (rs != rank || rd != rank)
    return fail(fmt::format("{}: a permutation of {} dims for boxes of rank "
                            "{} and {}",
                            where, rank, rs, rd));
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < rank; ++i) {
    int64_t p = perm.Get(i);
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p])
      return fail(fmt::format("{}: perm [{}] is not a permutation", where,
                              fmt::join(perm, ", ")));
    seen[p] = true;
  }
  for (size_t i = 0; i < rank; ++i)
    if (c.dst()->sizes()->Get(i) != c.src()->sizes()->Get(perm.Get(i)))
      return fail(fmt::format("{}: copies a box of sizes [{}] permuted by "
                              "[{}] into one of sizes [{}]",
                              where, fmt::join(*c.src()->sizes(), ", "),
                              fmt::join(perm, ", "),
                              fmt::join(*c.dst()->sizes(), ", ")));
  return true;
}

bool SemanticVerifier::checkTileBox(const std::string &where, const Box *box) {
  if (!box)
    return fail(where + ": missing box");
  if (!checkTensorIndex(where, "box", box->tensor()))
    return false;
  uint32_t t = box->tensor();
  auto *shape = info[t].shape;
  size_t rank = shape ? shape->size() : 0;
  size_t no = box->offsets() ? box->offsets()->size() : 0;
  size_t ns = box->sizes() ? box->sizes()->size() : 0;
  if (no != rank || ns != rank)
    return fail(fmt::format("{}: box of rank-{} tensor {} has {} offsets and "
                            "{} sizes",
                            where, rank, tensorLabel(plan, t), no, ns));
  // Raw (little-endian) arrays: this runs for every box of the program.
  const int64_t *offsets = rank ? box->offsets()->data() : nullptr;
  const int64_t *sizes = rank ? box->sizes()->data() : nullptr;
  const int64_t *dims = rank ? shape->data() : nullptr;
  for (size_t d = 0; d < rank; ++d) {
    int64_t o = offsets[d], n = sizes[d];
    if (o < 0 || n < 0 || static_cast<I128>(o) + n > dims[d])
      return fail(fmt::format("{}: box [{}, {}) of dimension {} is outside "
                              "tensor {} of shape [{}]",
                              where, o, static_cast<int64_t>(o + n), d,
                              tensorLabel(plan, t), shapeString(shape)));
  }
  if (!mapped[t])
    return fail(fmt::format("{}: tensor {} has no tile mapping", where,
                            tensorLabel(plan, t)));
  return true;
}

bool SemanticVerifier::checkVertex(const std::string &where, const Vertex &v) {
  uint64_t tiles = deviceTiles();
  if (v.tile() >= tiles)
    return fail(fmt::format("{}: tile {} does not exist (the device has {} "
                            "tiles)",
                            where, v.tile(), tiles));
  Scope &sc = vertexScope;
  sc.numel.clear();
  sc.dtype.clear();
  sc.role.clear();
  sc.rank.clear();
  if (v.operands())
    for (size_t o = 0; o < v.operands()->size(); ++o) {
      const Box *box = v.operands()->Get(o);
      if (!checkTileBox(quiet ? std::string()
                              : fmt::format("{}: operand {}", where, o),
                        box))
        return false;
      const TensorInfo &t = info[box->tensor()];
      int64_t n = numElements(box->sizes());
      sc.numel.push_back(n);
      sc.dtype.push_back(t.dtype);
      sc.role.push_back(t.role);
      sc.rank.push_back(box->sizes()->size());
    }
  scope = &sc;
  bool ok = true;
  if (!v.codelet() || v.codelet() != passedBody ||
      v.codelet_type() != passedType || !(sc == passedScope)) {
    ok = checkBody(where, v.codelet_type(), v.codelet());
    if (ok) {
      passedBody = v.codelet();
      passedType = v.codelet_type();
      passedScope = sc;
    }
  }
  if (ok && v.index_origin()) {
    const Generic *g = v.codelet_as_Generic();
    size_t loops = g && g->loop_bounds() ? g->loop_bounds()->size() : 0;
    if (!g || v.index_origin()->size() != loops)
      return fail(where + ": index_origin needs a Generic codelet and one entry "
                          "per loop dimension");
  }
  // The codelet's result must fill its operand exactly: a short result would
  // leave stale bytes that the simulator scatters back as if computed.
  if (ok && v.codelet_type() == KernelBody::MatMul) {
    const MatMul &m = *v.codelet_as_MatMul();
    I128 want = static_cast<I128>(m.batch()) * m.m() * m.n();
    if (want != sc.numel[m.result()])
      ok = fail(fmt::format("{}: matmul writes {} result elements but operand "
                            "%{} has {}",
                            where, static_cast<int64_t>(want), m.result(),
                            sc.numel[m.result()]));
  } else if (ok && v.codelet_type() == KernelBody::Conv2D) {
    const Conv2D &c = *v.codelet_as_Conv2D();
    I128 want = static_cast<I128>(c.n()) * c.oh() * c.ow() * c.f();
    if (want != sc.numel[c.result()])
      ok = fail(fmt::format("{}: conv2d writes {} result elements but operand "
                            "%{} has {}",
                            where, static_cast<int64_t>(want), c.result(),
                            sc.numel[c.result()]));
  }
  scope = nullptr;
  return ok;
}

bool SemanticVerifier::checkHostStream(const std::string &where,
                                       const flatbuffers::String *name,
                                       uint32_t tensor, bool write) {
  auto *bindings = write ? plan.inputs() : plan.outputs();
  std::string bname = name ? name->str() : "";
  const Binding *found = nullptr;
  if (bindings)
    for (const Binding *b : *bindings)
      if (b->name() && b->name()->str() == bname)
        found = b;
  if (!found)
    return fail(fmt::format("{}: the plan has no {} named '{}'", where,
                            write ? "input" : "output", bname));
  if (!checkTensorIndex(where, "tensor", tensor))
    return false;
  if (numel[tensor] != numel[found->tensor()] ||
      !sameDType(where, tensor, found->tensor()))
    return fail(fmt::format("{}: tensor {} does not match {} '{}'", where,
                            tensorLabel(plan, tensor),
                            write ? "input" : "output", bname));
  if (write && !checkWritable(where, tensor))
    return false;
  if (!mapped[tensor])
    return fail(fmt::format("{}: tensor {} has no tile mapping", where,
                            tensorLabel(plan, tensor)));
  return true;
}

bool SemanticVerifier::checkComputeSet(const ComputeSet &cs) {
  std::string name = cs.name() ? cs.name()->str() : "";
  std::string loc = cs.loc() ? cs.loc()->str() : "unknown loc";
  if (cs.vertices())
    for (size_t vi = 0; vi < cs.vertices()->size(); ++vi) {
      const Vertex &v = *cs.vertices()->Get(vi);
      if (!checkWithContext(
              [&](const std::string &where) { return checkVertex(where, v); },
              [&] {
                return fmt::format("compute set '{}' at {}: vertex {}", name,
                                   loc, vi);
              }))
        return false;
    }
  return true;
}

bool SemanticVerifier::checkExchange(const Exchange &ex) {
  std::string where =
      fmt::format("exchange '{}' at {}", ex.name() ? ex.name()->str() : "",
                  ex.loc() ? ex.loc()->str() : "unknown loc");
  if (ex.copies())
    for (size_t ci = 0; ci < ex.copies()->size(); ++ci) {
      const ExchangeCopy &c = *ex.copies()->Get(ci);
      auto check = [&](const std::string &w) {
        if (!checkTileBox(sub(w, " source"), c.src()) ||
            !checkTileBox(sub(w, " destination"), c.dst()) ||
            !sameDType(w, c.src()->tensor(), c.dst()->tensor()) ||
            !checkWritable(w, c.dst()->tensor()))
          return false;
        if (c.perm() && !checkCopyPerm(w, c))
          return false;
        int64_t ns = numElements(c.src()->sizes());
        int64_t nd = numElements(c.dst()->sizes());
        if (ns != nd)
          return fail(fmt::format("{}: copies {} elements into a box of {}", w,
                                  ns, nd));
        return true;
      };
      if (!checkWithContext(
              check, [&] { return fmt::format("{}: copy {}", where, ci); }))
        return false;
    }
  return true;
}

bool SemanticVerifier::checkRerunStep(std::string at, const Rerun &r,
                                      size_t index) {
  if (r.step() >= index)
    return fail(fmt::format("{}: reruns step {}, which does not come before "
                            "it (step {} in a pre-order walk of the program)",
                            at, r.step(), index));
  if (jobOfStep[r.step()] < 0)
    return fail(fmt::format("{}: reruns step {}, which is not a compute set "
                            "or an exchange",
                            at, r.step()));
  size_t nf = r.from() ? r.from()->size() : 0;
  size_t nt = r.to() ? r.to()->size() : 0;
  if (nf != nt)
    return fail(fmt::format("{}: renames {} tensors to {}", at, nf, nt));
  size_t job = static_cast<size_t>(jobOfStep[r.step()]);
  jobs[job].rerunTarget = true;
  reruns.push_back({&r, std::move(at), job});
  return true;
}

std::vector<uint32_t> SemanticVerifier::tensorsOfJob(size_t j) const {
  std::vector<uint32_t> out;
  auto add = [&](const Box *b) {
    if (out.empty() || out.back() != b->tensor())
      out.push_back(b->tensor());
  };
  if (jobs[j].exchange) {
    if (auto *cs = static_cast<const Exchange *>(jobs[j].table)->copies())
      for (const ExchangeCopy *c : *cs) {
        add(c->src());
        add(c->dst());
      }
  } else if (auto *vs =
                 static_cast<const ComputeSet *>(jobs[j].table)->vertices()) {
    for (const Vertex *v : *vs)
      if (v->operands())
        for (const Box *b : *v->operands())
          add(b);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// Whether two tile mappings place every element alike.
static bool sameIntervals(const TensorMapping *a, const TensorMapping *b) {
  if (a == b)
    return true;
  if (!a || !b)
    return false;
  // The compiler shares the vector among tensors of one mapping.
  if (a->intervals() == b->intervals())
    return true;
  size_t na = a->intervals() ? a->intervals()->size() : 0;
  size_t nb = b->intervals() ? b->intervals()->size() : 0;
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; ++i) {
    const TileInterval &x = *a->intervals()->Get(i);
    const TileInterval &y = *b->intervals()->Get(i);
    if (x.tile() != y.tile() || x.begin() != y.begin() || x.end() != y.end() ||
        x.address() != y.address())
      return false;
  }
  return true;
}

bool SemanticVerifier::checkRerunTensors(size_t ri) {
  const PendingRerun &p = reruns[ri];
  const Rerun &r = *p.rerun;
  const std::vector<uint32_t> &of = jobTensors[p.job];
  size_t n = r.from() ? r.from()->size() : 0;
  bool sameList = n == of.size();
  for (size_t i = 0; sameList && i < n; ++i)
    sameList = r.from()->Get(i) == of[i];
  if (!sameList)
    return fail(fmt::format(
        "{}: renames tensors [{}], but step {} uses "
        "tensors [{}]",
        p.at, r.from() ? fmt::format("{}", fmt::join(*r.from(), ", ")) : "",
        r.step(), fmt::join(of, ", ")));
  for (size_t i = 0; i < n; ++i) {
    uint32_t from = r.from()->Get(i), to = r.to()->Get(i);
    if (from == to)
      continue;
    if (!checkTensorIndex(p.at, "renamed", to))
      return false;
    const TensorInfo &a = info[from], &b = info[to];
    auto shapeOf = [](const TensorInfo &t) {
      return t.shape ? std::vector<int64_t>(t.shape->begin(), t.shape->end())
                     : std::vector<int64_t>();
    };
    const char *differs = nullptr;
    if (a.dtype != b.dtype)
      differs = "dtype";
    else if (shapeOf(a) != shapeOf(b))
      differs = "shape";
    else if (a.role != b.role)
      differs = "role";
    else if (!mappingOf[to] || !sameIntervals(mappingOf[from], mappingOf[to]))
      differs = "tile mapping";
    if (differs)
      return fail(fmt::format("{}: tensor {} stands for tensor {} of step {}, "
                              "but its {} differs (a rerun must touch the "
                              "same bytes of tile memory)",
                              p.at, tensorLabel(plan, to),
                              tensorLabel(plan, from), r.step(), differs));
  }
  return true;
}

bool SemanticVerifier::walkSteps(
    const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps, int depth) {
  if (!steps)
    return true;
  if (depth > kMaxRepeatDepth)
    return fail(fmt::format("repeat loops nest deeper than {}",
                            kMaxRepeatDepth));
  for (size_t si = 0; si < steps->size(); ++si) {
    const Step &step = *steps->Get(si);
    std::string at = fmt::format("step {}{}", si,
                                 depth ? fmt::format(" (repeat depth {})", depth)
                                       : "");
    if (!step.body())
      return fail(at + ": step has no body");
    size_t index = jobOfStep.size();
    jobOfStep.push_back(-1);
    switch (step.body_type()) {
    case StepBody::ComputeSet:
      jobOfStep[index] = static_cast<int64_t>(jobs.size());
      jobs.push_back({step.body_as_ComputeSet(), false});
      if (auto *vs = step.body_as_ComputeSet()->vertices())
        jobWork += vs->size();
      break;
    case StepBody::Exchange:
      jobOfStep[index] = static_cast<int64_t>(jobs.size());
      jobs.push_back({step.body_as_Exchange(), true});
      if (auto *cs = step.body_as_Exchange()->copies())
        jobWork += cs->size();
      break;
    case StepBody::Rerun:
      if (!checkRerunStep(fmt::format("{} (rerun '{}' at {})", at,
                                      step.body_as_Rerun()->name()
                                          ? step.body_as_Rerun()->name()->str()
                                          : "",
                                      step.body_as_Rerun()->loc()
                                          ? step.body_as_Rerun()->loc()->str()
                                          : "unknown loc"),
                          *step.body_as_Rerun(), index))
        return false;
      break;
    case StepBody::Repeat: {
      const Repeat &r = *step.body_as_Repeat();
      if (r.count() < 0)
        return fail(fmt::format("{}: repeat count {} is negative", at,
                                r.count()));
      if (!walkSteps(r.body(), depth + 1))
        return false;
      break;
    }
    case StepBody::HostWrite:
      if (!checkHostStream(at + " (host write)",
                           step.body_as_HostWrite()->binding(),
                           step.body_as_HostWrite()->tensor(), true))
        return false;
      break;
    case StepBody::HostRead:
      if (!checkHostStream(at + " (host read)",
                           step.body_as_HostRead()->binding(),
                           step.body_as_HostRead()->tensor(), false))
        return false;
      break;
    default:
      return fail(fmt::format("{}: unknown step type {}", at,
                              static_cast<int>(step.body_type())));
    }
  }
  return true;
}


} // namespace ipuc::plan::detail
