//===- Verifier.cpp - Semantic checks on a structurally valid plan --------===//
//
// The FlatBuffers verifier only proves that every offset stays inside the
// buffer. Kernels index tensors with offsets and strides taken from the plan,
// so this file proves every access they can make stays inside its tensor;
// after it passes, no plan can make a kernel read or write out of bounds.
//
//===----------------------------------------------------------------------===//

#include "ipuc/plan/Plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>

namespace ipuc::plan {
namespace {

using I128 = __int128;

class SemanticVerifier {
public:
  explicit SemanticVerifier(const Plan &plan) : plan(plan) {}
  std::string run();

private:
  bool fail(std::string msg) {
    if (!quiet && error.empty())
      error = std::move(msg);
    return false;
  }
  /// Runs `check` first quietly: context strings ("compute set 'x' at ...:
  /// vertex 7: operand 2") are then left empty, which matters because a big
  /// tile program has millions of vertices and copies and formatting their
  /// names eagerly was most of the time spent verifying it. Only when the
  /// quiet run fails is `check` run again with `context()`, so that the
  /// message is exactly the one an eager run gives.
  template <typename Check, typename Context>
  bool checkWithContext(Check check, Context context) {
    quiet = true;
    bool ok = check(std::string());
    quiet = false;
    return ok || check(context());
  }
  /// `where + suffix`, or nothing while running quietly.
  std::string sub(const std::string &where, const char *suffix) const {
    return quiet ? std::string() : where + suffix;
  }
  bool checkTensors();
  bool checkBindings(const flatbuffers::Vector<flatbuffers::Offset<Binding>> *,
                     TensorRole role, const char *what);
  bool checkKernel(size_t idx, const Kernel &k);
  bool checkGeneric(const std::string &where, const Generic &g);
  bool checkTensorIndex(const std::string &where, const char *what,
                        int64_t index);
  bool checkWritable(const std::string &where, uint32_t index);
  bool checkBox(const std::string &where, const char *what, uint32_t tensor,
                int64_t offset, const flatbuffers::Vector<int64_t> *strides,
                const flatbuffers::Vector<int64_t> *sizes);
  bool checkSpan(const std::string &where, const char *what, uint32_t tensor,
                 I128 end);
  bool sameDType(const std::string &where, uint32_t a, uint32_t b);

  bool checkBody(const std::string &where, KernelBody type, const void *body);
  bool checkConvBackwardFilter(const std::string &where,
                               const Conv2DBackwardFilter &c);
  // Tile program (target "ipu").
  bool checkTileProgram();
  bool checkMappings();
  bool checkMappingIntervals(size_t mapping);
  bool checkTileBox(const std::string &where, const Box *box);
  /// A transposing copy's perm, as the bsp.copy verifier checks it: a
  /// permutation of the boxes' rank under which their sizes agree.
  bool checkCopyPerm(const std::string &where, const ExchangeCopy &c);
  /// Checks the steps that are not compute sets or exchanges, and lists
  /// those as `jobs`.
  bool walkSteps(const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps,
                 int depth);
  bool checkComputeSet(const ComputeSet &cs);
  bool checkExchange(const Exchange &ex);
  /// Runs check(worker, j) for j in [0, n) and returns false with the error
  /// of the first j that fails, as checking one after the other would. With
  /// enough `work` (records to check) the jobs are spread over threads, each
  /// with a worker copied from this verifier (from here on the tensor tables
  /// are only read); jobs are claimed in order and a thread stops only
  /// after one of its own fails, so every job before the first failure has
  /// run.
  template <typename Check> bool runInOrder(size_t n, size_t work, Check check);
  bool checkVertex(const std::string &where, const Vertex &v);
  bool checkHostStream(const std::string &where, const flatbuffers::String *name,
                       uint32_t tensor, bool write);

  // Inside a vertex, tensor indices mean operand indices: the codelet sees
  // each operand box as a packed tensor of its own.
  struct Scope {
    std::vector<int64_t> numel;
    std::vector<DType> dtype;
    std::vector<TensorRole> role;
    std::vector<size_t> rank;
  };
  size_t tensorCount() const { return scope ? scope->numel.size() : numel.size(); }
  int64_t numelOf(uint32_t i) const { return scope ? scope->numel[i] : numel[i]; }
  DType dtypeOf(uint32_t i) const {
    return scope ? scope->dtype[i] : plan.tensors()->Get(i)->dtype();
  }
  TensorRole roleOf(uint32_t i) const {
    return scope ? scope->role[i] : plan.tensors()->Get(i)->role();
  }
  size_t rankOf(uint32_t i) const {
    if (scope)
      return scope->rank[i];
    auto *shape = plan.tensors()->Get(i)->shape();
    return shape ? shape->size() : 0;
  }
  const char *tensorWord() const { return scope ? "operand" : "tensor"; }

  const Plan &plan;
  std::vector<int64_t> numel;
  std::vector<bool> mapped;
  const Scope *scope = nullptr;
  /// Scratch reused across vertices and mappings (millions of them in a big
  /// tile program): the operand scope, a mapping's intervals.
  Scope vertexScope;
  std::vector<const TileInterval *> ivs;
  /// Per tile, where the last interval of the mapping being checked ends,
  /// for the tiles whose `tileSeen` is `seenStamp`.
  std::vector<uint64_t> tileEnd;
  std::vector<uint32_t> tileSeen;
  uint32_t seenStamp = 0;
  /// The compute sets and exchanges the walk reached, and their records.
  struct Job {
    const void *table = nullptr;
    bool exchange = false;
  };
  std::vector<Job> jobs;
  size_t jobWork = 0;
  std::string error;
  bool quiet = false;
};

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
  std::vector<std::string> errors(n);
  std::vector<std::exception_ptr> thrown(n);
  std::vector<char> failed(n, 0);
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  auto drain = [&] {
    SemanticVerifier w(*this);
    while (!stop.load(std::memory_order_relaxed)) {
      size_t j = next.fetch_add(1);
      if (j >= n)
        return;
      bool ok = false;
      try {
        ok = check(w, j);
      } catch (...) {
        thrown[j] = std::current_exception();
      }
      if (!ok) {
        failed[j] = 1;
        errors[j] = std::move(w.error);
        stop = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back(drain);
  } catch (const std::system_error &) {
    // No more threads to be had: the calling thread drains what is left.
  }
  drain();
  for (std::thread &t : pool)
    t.join();
  for (size_t j = 0; j < n; ++j) {
    if (!failed[j])
      continue;
    if (thrown[j])
      std::rethrow_exception(thrown[j]);
    return fail(std::move(errors[j]));
  }
  return true;
}

std::string SemanticVerifier::run() {
  if (!checkTensors())
    return error;
  if (!checkBindings(plan.inputs(), TensorRole::Input, "input") ||
      !checkBindings(plan.outputs(), TensorRole::Output, "output"))
    return error;
  if (auto *prog = plan.host_program())
    for (size_t i = 0; i < prog->size(); ++i)
      if (!checkKernel(i, *prog->Get(i)))
        return error;
  checkTileProgram();
  return error;
}

bool SemanticVerifier::checkTensors() {
  auto *tensors = plan.tensors();
  if (!tensors)
    return true;
  for (size_t i = 0; i < tensors->size(); ++i) {
    const Tensor &t = *tensors->Get(i);
    std::string name = t.name() ? t.name()->str() : "";
    if (!isValidDType(t.dtype()))
      return fail(fmt::format("tensor %{} '{}' has an invalid dtype {}", i,
                              name, static_cast<int>(t.dtype())));
    if (static_cast<unsigned>(t.role()) >
        static_cast<unsigned>(TensorRole::MAX))
      return fail(fmt::format("tensor %{} '{}' has an invalid role", i, name));
    int64_t n = numElements(t.shape());
    if (n < 0)
      return fail(fmt::format("tensor %{} '{}' has a negative or too large "
                              "shape [{}]",
                              i, name, shapeString(t.shape())));
    numel.push_back(n);
    bool hasData =
        t.role() == TensorRole::Constant || t.role() == TensorRole::Parameter;
    size_t dataSize = t.data() ? t.data()->size() : 0;
    size_t want = static_cast<size_t>(n) * dtypeSize(t.dtype());
    if (hasData && dataSize != want)
      return fail(fmt::format("tensor %{} '{}' ({}[{}]) has {} bytes of data, "
                              "expected {}",
                              i, name, dtypeName(t.dtype()),
                              shapeString(t.shape()), dataSize, want));
  }
  return true;
}

bool SemanticVerifier::checkBindings(
    const flatbuffers::Vector<flatbuffers::Offset<Binding>> *bindings,
    TensorRole role, const char *what) {
  if (!bindings)
    return true;
  for (const Binding *b : *bindings) {
    std::string name = b->name() ? b->name()->str() : "";
    if (b->tensor() >= numel.size())
      return fail(fmt::format("{} '{}' refers to tensor %{}, but the plan has "
                              "{} tensors",
                              what, name, b->tensor(), numel.size()));
    const Tensor &t = *plan.tensors()->Get(b->tensor());
    if (t.role() != role)
      return fail(fmt::format("{} '{}' is bound to tensor %{} whose role is "
                              "{}, not {}",
                              what, name, b->tensor(), roleName(t.role()),
                              roleName(role)));
  }
  return true;
}

bool SemanticVerifier::checkTensorIndex(const std::string &where,
                                        const char *what, int64_t index) {
  if (index < 0 || static_cast<uint64_t>(index) >= tensorCount())
    return fail(fmt::format("{}: {} refers to {} %{}, but there are {} {}s",
                            where, what, tensorWord(), index, tensorCount(),
                            tensorWord()));
  return true;
}

bool SemanticVerifier::checkWritable(const std::string &where,
                                     uint32_t index) {
  if (roleOf(index) == TensorRole::Constant)
    return fail(fmt::format("{}: writes constant {} %{}", where, tensorWord(),
                            index));
  return true;
}

bool SemanticVerifier::sameDType(const std::string &where, uint32_t a,
                                 uint32_t b) {
  DType da = dtypeOf(a);
  DType db = dtypeOf(b);
  if (da != db)
    return fail(fmt::format("{}: {} %{} is {} but {} %{} is {}", where,
                            tensorWord(), a, dtypeName(da), tensorWord(), b,
                            dtypeName(db)));
  return true;
}

bool SemanticVerifier::checkSpan(const std::string &where, const char *what,
                                 uint32_t tensor, I128 end) {
  if (end > numelOf(tensor))
    return fail(fmt::format("{}: {} needs {} elements of {} %{}, which has "
                            "{}",
                            where, what, static_cast<int64_t>(end),
                            tensorWord(), tensor, numelOf(tensor)));
  return true;
}

// Every element offset reachable from `offset` over the box `sizes` with
// `strides` lies in [min, max]; both must be inside the tensor. An empty box
// touches nothing and is always fine.
bool SemanticVerifier::checkBox(const std::string &where, const char *what,
                                uint32_t tensor, int64_t offset,
                                const flatbuffers::Vector<int64_t> *strides,
                                const flatbuffers::Vector<int64_t> *sizes) {
  size_t rank = sizes ? sizes->size() : 0;
  size_t nstrides = strides ? strides->size() : 0;
  if (nstrides != rank)
    return fail(fmt::format("{}: {} has {} strides for {} loop dimensions",
                            where, what, nstrides, rank));
  I128 lo = offset, hi = offset;
  for (size_t d = 0; d < rank; ++d) {
    int64_t size = sizes->Get(d);
    if (size < 0)
      return fail(fmt::format("{}: negative size {} in dimension {}", where,
                              size, d));
    if (size == 0)
      return true;
    I128 reach = static_cast<I128>(strides->Get(d)) * (size - 1);
    (reach < 0 ? lo : hi) += reach;
  }
  if (lo < 0 || hi >= numelOf(tensor))
    return fail(fmt::format("{}: {} reaches elements [{}, {}] of {} %{}, "
                            "which has {}",
                            where, what, static_cast<int64_t>(lo),
                            static_cast<int64_t>(hi), tensorWord(), tensor,
                            numelOf(tensor)));
  return true;
}

bool SemanticVerifier::checkKernel(size_t idx, const Kernel &k) {
  std::string where = fmt::format("kernel {} ({}, at {})", idx,
                                  k.name() ? k.name()->c_str() : "?",
                                  k.loc() ? k.loc()->c_str() : "unknown loc");
  return checkBody(where, k.body_type(), k.body());
}

bool SemanticVerifier::checkBody(const std::string &where, KernelBody type,
                                 const void *body) {
  if (!body && type != KernelBody::NONE)
    return fail(where + ": missing kernel body");
  switch (type) {
  case KernelBody::Generic:
    return checkGeneric(where, *static_cast<const Generic *>(body));
  case KernelBody::MatMul: {
    const MatMul &m = *static_cast<const MatMul *>(body);
    if (!checkTensorIndex(where, "lhs", m.lhs()) ||
        !checkTensorIndex(where, "rhs", m.rhs()) ||
        !checkTensorIndex(where, "result", m.result()) ||
        (m.init() >= 0 && !checkTensorIndex(where, "init", m.init())))
      return false;
    if (m.batch() < 0 || m.m() < 0 || m.n() < 0 || m.k() < 0 ||
        m.lhs_batch_stride() < 0 || m.rhs_batch_stride() < 0)
      return fail(where + ": negative matmul size or batch stride");
    if (!sameDType(where, m.lhs(), m.rhs()) ||
        !sameDType(where, m.lhs(), m.result()) ||
        (m.init() >= 0 && !sameDType(where, m.init(), m.result())) ||
        !checkWritable(where, m.result()))
      return false;
    if (m.batch() == 0)
      return true;
    I128 b1 = m.batch() - 1;
    I128 mk = static_cast<I128>(m.m()) * m.k(), kn = static_cast<I128>(m.k()) * m.n();
    I128 mn = static_cast<I128>(m.m()) * m.n();
    return checkSpan(where, "lhs", m.lhs(), b1 * m.lhs_batch_stride() + mk) &&
           checkSpan(where, "rhs", m.rhs(), b1 * m.rhs_batch_stride() + kn) &&
           checkSpan(where, "result", m.result(), (b1 + 1) * mn) &&
           (m.init() < 0 || checkSpan(where, "init", m.init(), (b1 + 1) * mn));
  }
  case KernelBody::Conv2D: {
    const Conv2D &c = *static_cast<const Conv2D *>(body);
    if (!checkTensorIndex(where, "input", c.input()) ||
        !checkTensorIndex(where, "filter", c.filter()) ||
        !checkTensorIndex(where, "result", c.result()) ||
        (c.init() >= 0 && !checkTensorIndex(where, "init", c.init())))
      return false;
    if (c.n() < 0 || c.h() < 0 || c.w() < 0 || c.c() < 0 || c.f() < 0 ||
        c.kh() < 0 || c.kw() < 0 || c.oh() < 0 || c.ow() < 0)
      return fail(where + ": negative conv2d size");
    if (c.stride_h() < 1 || c.stride_w() < 1 || c.dilation_h() < 1 ||
        c.dilation_w() < 1 || c.groups() < 1)
      return fail(where + ": conv2d strides, dilations and groups must be >= 1");
    if (c.c() % c.groups() || c.f() % c.groups())
      return fail(fmt::format("{}: {} groups do not divide {} channels and {} "
                              "filters",
                              where, c.groups(), c.c(), c.f()));
    if (c.oh() > 0 && c.ow() > 0 && c.kh() > 0 && c.kw() > 0 &&
        ((static_cast<I128>(c.oh()) - 1) * c.stride_h() +
                 (static_cast<I128>(c.kh()) - 1) * c.dilation_h() >= c.h() ||
         (static_cast<I128>(c.ow()) - 1) * c.stride_w() +
                 (static_cast<I128>(c.kw()) - 1) * c.dilation_w() >= c.w()))
      return fail(where + ": conv2d window reaches outside the (padded) input");
    if (!sameDType(where, c.input(), c.filter()) ||
        !sameDType(where, c.input(), c.result()) ||
        (c.init() >= 0 && !sameDType(where, c.init(), c.result())) ||
        !checkWritable(where, c.result()))
      return false;
    I128 out = static_cast<I128>(c.n()) * c.oh() * c.ow() * c.f();
    return checkSpan(where, "input", c.input(),
                     static_cast<I128>(c.n()) * c.h() * c.w() * c.c()) &&
           checkSpan(where, "filter", c.filter(),
                     static_cast<I128>(c.f()) * c.kh() * c.kw() *
                         (c.c() / c.groups())) &&
           checkSpan(where, "result", c.result(), out) &&
           (c.init() < 0 || checkSpan(where, "init", c.init(), out));
  }
  case KernelBody::Copy: {
    const Copy &c = *static_cast<const Copy *>(body);
    if (!checkTensorIndex(where, "src", c.src()) ||
        !checkTensorIndex(where, "dst", c.dst()) ||
        !sameDType(where, c.src(), c.dst()) || !checkWritable(where, c.dst()))
      return false;
    return checkBox(where, "copy source", c.src(), c.src_offset(),
                    c.src_strides(), c.sizes()) &&
           checkBox(where, "copy destination", c.dst(), c.dst_offset(),
                    c.dst_strides(), c.sizes());
  }
  case KernelBody::Fill: {
    const Fill &f = *static_cast<const Fill *>(body);
    return checkTensorIndex(where, "dst", f.dst()) &&
           checkWritable(where, f.dst());
  }
  case KernelBody::Conv2DBackwardFilter:
    return checkConvBackwardFilter(
        where, *static_cast<const Conv2DBackwardFilter *>(body));
  default:
    return fail(fmt::format("{}: unknown kernel body type {}", where,
                            static_cast<int>(type)));
  }
}

bool SemanticVerifier::checkConvBackwardFilter(
    const std::string &where, const Conv2DBackwardFilter &c) {
  if (scope)
    return fail(where + ": conv2d backward-filter is a host-only kernel");
  if (!checkTensorIndex(where, "input", c.input()) ||
      !checkTensorIndex(where, "grad", c.grad()) ||
      !checkTensorIndex(where, "result", c.result()) ||
      !sameDType(where, c.input(), c.grad()) ||
      !sameDType(where, c.input(), c.result()) ||
      !checkWritable(where, c.result()))
    return false;
  const int64_t sizes[] = {c.n(), c.h(), c.w(), c.c(), c.o(),
                           c.kh(), c.kw(), c.oh(), c.ow()};
  if (std::any_of(std::begin(sizes), std::end(sizes),
                  [](int64_t v) { return v < 0; }))
    return fail(where + ": negative conv2d backward-filter size");
  if (c.stride_h() < 1 || c.stride_w() < 1 || c.dilation_h() < 1 ||
      c.dilation_w() < 1)
    return fail(where + ": conv2d backward-filter strides and dilations must "
                        "be >= 1");
  if (c.oh() > 0 && c.ow() > 0 && c.kh() > 0 && c.kw() > 0 &&
      ((static_cast<I128>(c.oh()) - 1) * c.stride_h() +
               (static_cast<I128>(c.kh()) - 1) * c.dilation_h() >= c.h() ||
       (static_cast<I128>(c.ow()) - 1) * c.stride_w() +
               (static_cast<I128>(c.kw()) - 1) * c.dilation_w() >= c.w()))
    return fail(where + ": conv2d backward-filter window reaches outside the "
                        "(padded) input");
  // Each operand's furthest element, from its four non-negative strides.
  auto reach = [&](const char *what, uint32_t tensor,
                   const flatbuffers::Vector<int64_t> *strides,
                   std::array<int64_t, 4> dims) {
    if (!strides || strides->size() != 4)
      return fail(fmt::format("{}: conv2d backward-filter {} needs 4 strides",
                              where, what));
    I128 last = 0;
    for (int d = 0; d < 4; ++d) {
      if (strides->Get(d) < 0)
        return fail(fmt::format("{}: conv2d backward-filter {} has a negative "
                                "stride",
                                where, what));
      if (dims[d] == 0)
        return true;
      last += static_cast<I128>(strides->Get(d)) * (dims[d] - 1);
    }
    return checkSpan(where, what, tensor, last + 1);
  };
  return reach("input", c.input(), c.input_strides(),
               {c.n(), c.h(), c.w(), c.c()}) &&
         reach("grad", c.grad(), c.grad_strides(),
               {c.n(), c.oh(), c.ow(), c.o()}) &&
         reach("result", c.result(), c.result_strides(),
               {c.o(), c.kh(), c.kw(), c.c()});
}

bool SemanticVerifier::checkGeneric(const std::string &where,
                                    const Generic &g) {
  auto *bounds = g.loop_bounds();
  size_t rank = bounds ? bounds->size() : 0;
  // An absent or empty list means every dimension is parallel.
  if (g.reduction_dims() && g.reduction_dims()->size() != 0 &&
      g.reduction_dims()->size() != rank)
    return fail(fmt::format("{}: {} reduction flags for {} loop dimensions",
                            where, g.reduction_dims()->size(), rank));
  size_t nin = g.inputs() ? g.inputs()->size() : 0;
  size_t nout = g.outputs() ? g.outputs()->size() : 0;
  for (size_t i = 0; i < nin + nout; ++i) {
    const Operand &op =
        *(i < nin ? g.inputs()->Get(i) : g.outputs()->Get(i - nin));
    std::string what = quiet     ? std::string()
                       : i < nin ? fmt::format("input {}", i)
                                 : fmt::format("output {}", i - nin);
    if (!checkTensorIndex(where, what.c_str(), op.tensor()) ||
        !checkBox(where, what.c_str(), op.tensor(), op.offset(), op.strides(),
                  bounds))
      return false;
    if (i >= nin && !checkWritable(where, op.tensor()))
      return false;
  }
  size_t ninits = g.inits() ? g.inits()->size() : 0;
  if (ninits != 0 && ninits != nout)
    return fail(fmt::format("{}: {} inits for {} outputs", where, ninits, nout));
  for (size_t i = 0; i < ninits; ++i) {
    int32_t init = g.inits()->Get(i);
    if (init < 0)
      continue;
    uint32_t out = g.outputs()->Get(i)->tensor();
    if (!checkTensorIndex(where, "init", init) || !sameDType(where, init, out))
      return false;
    if (numelOf(init) != numelOf(out))
      return fail(fmt::format("{}: init {} %{} has {} elements but output "
                              "{} %{} has {}",
                              where, tensorWord(), init, numelOf(init),
                              tensorWord(), out, numelOf(out)));
  }
  size_t ncaptured = g.captured() ? g.captured()->size() : 0;
  for (size_t i = 0; i < ncaptured; ++i)
    if (!checkTensorIndex(where, "captured", g.captured()->Get(i)))
      return false;

  uint32_t nregs = g.num_registers();
  if (nregs < nin + nout)
    return fail(fmt::format("{}: {} registers cannot hold {} operands", where,
                            nregs, nin + nout));
  // The interpreter keeps a chunk of lanes per register; this bound keeps its
  // register file at a few tens of MiB.
  if (nregs > 16384)
    return fail(fmt::format("{}: {} registers is more than the 16384 allowed",
                            where, nregs));
  if (!g.program())
    return true;
  for (size_t pc = 0; pc < g.program()->size(); ++pc) {
    const Instr &in = *g.program()->Get(pc);
    std::string at =
        quiet ? std::string() : fmt::format("{}: instruction {}", where, pc);
    if (static_cast<unsigned>(in.opcode()) >
        static_cast<unsigned>(Opcode::MAX))
      return fail(fmt::format("{}: invalid opcode {}", at,
                              static_cast<int>(in.opcode())));
    if (!isValidDType(in.dtype()) || !isValidDType(in.src_dtype()))
      return fail(at + ": invalid dtype");
    auto reg = [&](uint32_t r) { return r < nregs; };
    switch (in.opcode()) {
    case Opcode::Yield:
      if (in.a() >= nout || !reg(in.b()))
        return fail(fmt::format("{} (yield): output {} or register {} out of "
                                "range ({} outputs, {} registers)",
                                at, in.a(), in.b(), nout, nregs));
      continue;
    case Opcode::Extract: {
      if (in.a() >= ncaptured)
        return fail(fmt::format("{} (extract): captured index {} out of range "
                                "({} captured)",
                                at, in.a(), ncaptured));
      size_t trank = rankOf(g.captured()->Get(in.a()));
      if (in.c() != trank)
        return fail(fmt::format("{} (extract): {} indices for a rank-{} tensor",
                                at, in.c(), trank));
      if (static_cast<uint32_t>(in.b()) + in.c() > nregs)
        return fail(at + " (extract): index registers out of range");
      break;
    }
    case Opcode::Index:
      if (in.a() >= rank)
        return fail(fmt::format("{} (index): loop dimension {} out of range "
                                "(rank {})",
                                at, in.a(), rank));
      break;
    default: {
      unsigned arity = opcodeArity(in.opcode());
      if ((arity > 0 && !reg(in.a())) || (arity > 1 && !reg(in.b())) ||
          (arity > 2 && !reg(in.c())))
        return fail(fmt::format("{}: operand register out of range ({} "
                                "registers)",
                                at, nregs));
    }
    }
    if (!reg(in.dst()))
      return fail(fmt::format("{}: destination register {} out of range ({} "
                              "registers)",
                              at, in.dst(), nregs));
  }
  return true;
}

// ---------------------------------------------------------------------------
// Tile program
// ---------------------------------------------------------------------------

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
  if (!checkMappings())
    return false;
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
  if (!runInOrder(jobs.size(), jobWork, [&](SemanticVerifier &w, size_t j) {
        const Job &job = jobs[j];
        return job.exchange
                   ? w.checkExchange(*static_cast<const Exchange *>(job.table))
                   : w.checkComputeSet(
                         *static_cast<const ComputeSet *>(job.table));
      }))
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
  }
  std::string claimError = std::move(error);
  error.clear();
  size_t work = 0;
  for (size_t mi = 0; mi < claimed; ++mi)
    if (auto *ivs = maps->Get(mi)->intervals())
      work += ivs->size();
  if (!runInOrder(claimed, work, [&](SemanticVerifier &w, size_t mi) {
        return w.checkMappingIntervals(mi);
      }))
    return false;
  return claimError.empty() || fail(std::move(claimError));
}

bool SemanticVerifier::checkMappingIntervals(size_t mi) {
  const Device &d = *plan.device();
  uint64_t tiles =
      static_cast<uint64_t>(std::max(1u, d.num_chips())) * d.tiles_per_chip();
  uint64_t sram = d.sram_bytes_per_tile();
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
  auto *shape = plan.tensors()->Get(t)->shape();
  size_t rank = shape ? shape->size() : 0;
  size_t no = box->offsets() ? box->offsets()->size() : 0;
  size_t ns = box->sizes() ? box->sizes()->size() : 0;
  if (no != rank || ns != rank)
    return fail(fmt::format("{}: box of rank-{} tensor {} has {} offsets and "
                            "{} sizes",
                            where, rank, tensorLabel(plan, t), no, ns));
  for (size_t d = 0; d < rank; ++d) {
    int64_t o = box->offsets()->Get(d), n = box->sizes()->Get(d);
    if (o < 0 || n < 0 || static_cast<I128>(o) + n > shape->Get(d))
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
  const Device &d = *plan.device();
  uint64_t tiles = static_cast<uint64_t>(std::max(1u, d.num_chips())) *
                   d.tiles_per_chip();
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
      const Tensor &t = *plan.tensors()->Get(box->tensor());
      int64_t n = numElements(box->sizes());
      sc.numel.push_back(n);
      sc.dtype.push_back(t.dtype());
      sc.role.push_back(t.role());
      sc.rank.push_back(box->sizes()->size());
    }
  scope = &sc;
  bool ok = checkBody(where, v.codelet_type(), v.codelet());
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
    switch (step.body_type()) {
    case StepBody::ComputeSet:
      jobs.push_back({step.body_as_ComputeSet(), false});
      if (auto *vs = step.body_as_ComputeSet()->vertices())
        jobWork += vs->size();
      break;
    case StepBody::Exchange:
      jobs.push_back({step.body_as_Exchange(), true});
      if (auto *cs = step.body_as_Exchange()->copies())
        jobWork += cs->size();
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

} // namespace

std::string verifyPlanSemantics(const Plan &plan) {
  return SemanticVerifier(plan).run();
}

} // namespace ipuc::plan
