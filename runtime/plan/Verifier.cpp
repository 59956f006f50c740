//===- Verifier.cpp - Semantic checks on a structurally valid plan --------===//
//
// The FlatBuffers verifier only proves that every offset stays inside the
// buffer. Kernels index tensors with offsets and strides taken from the plan,
// so this file proves every access they can make stays inside its tensor;
// after it passes, no plan can make a kernel read or write out of bounds.
//
//===----------------------------------------------------------------------===//

#include "SemanticVerifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace ipuc::plan {
using detail::SemanticVerifier;
using I128 = detail::I128;

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
    info.push_back({t.shape(), t.dtype(), t.role()});
    bool hasData =
        t.role() == TensorRole::Constant || t.role() == TensorRole::Parameter;
    size_t dataSize = t.data() ? t.data()->size() : 0;
    size_t want = static_cast<size_t>(n) * dtypeSize(t.dtype());
    // A tile program's mapped constant may hold its elements in the tile
    // image instead (checked with the mappings).
    bool inImage = want > 0 && constantInTileImage(plan, t);
    imageOnly.push_back(inImage);
    if (hasData && !inImage && dataSize != want)
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
  case KernelBody::MaxPool2DBackward:
    return checkMaxPoolBackward(where,
                                *static_cast<const MaxPool2DBackward *>(body));
  case KernelBody::Conv2DBackwardData:
    return checkConvBackwardData(
        where, *static_cast<const Conv2DBackwardData *>(body));
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
  const char *kernel = "conv2d backward-filter";
  return checkStridedOperand(where, kernel, "input", c.input(),
                             c.input_strides(), {c.n(), c.h(), c.w(), c.c()}) &&
         checkStridedOperand(where, kernel, "grad", c.grad(), c.grad_strides(),
                             {c.n(), c.oh(), c.ow(), c.o()}) &&
         checkStridedOperand(where, kernel, "result", c.result(),
                             c.result_strides(),
                             {c.o(), c.kh(), c.kw(), c.c()});
}

bool SemanticVerifier::checkConvBackwardData(const std::string &where,
                                             const Conv2DBackwardData &c) {
  if (scope)
    return fail(where + ": conv2d backward-data is a host-only kernel");
  if (!checkTensorIndex(where, "grad", c.grad()) ||
      !checkTensorIndex(where, "filter", c.filter()) ||
      !checkTensorIndex(where, "result", c.result()) ||
      !sameDType(where, c.grad(), c.filter()) ||
      !sameDType(where, c.grad(), c.result()) ||
      !checkWritable(where, c.result()))
    return false;
  const int64_t sizes[] = {c.n(),  c.oh(), c.ow(), c.o(), c.kh(),
                           c.kw(), c.c(),  c.h(),  c.w()};
  if (std::any_of(std::begin(sizes), std::end(sizes),
                  [](int64_t v) { return v < 0; }))
    return fail(where + ": negative conv2d backward-data size");
  if (c.stride_h() < 1 || c.stride_w() < 1 || c.dilation_h() < 1 ||
      c.dilation_w() < 1)
    return fail(where + ": conv2d backward-data strides and dilations must "
                        "be >= 1");
  // The kernel spreads one image's gradient over a buffer of the result's
  // extent plus the kernel's reach; bound the paddings so that positions
  // computed from them cannot overflow.
  const int64_t limit = int64_t(1) << 40;
  if (std::any_of(std::begin(sizes), std::end(sizes),
                  [&](int64_t v) { return v > limit; }) ||
      c.stride_h() > limit || c.stride_w() > limit || c.dilation_h() > limit ||
      c.dilation_w() > limit || c.pad_top() < -limit || c.pad_top() > limit ||
      c.pad_left() < -limit || c.pad_left() > limit)
    return fail(where + ": conv2d backward-data size, stride, dilation or "
                        "padding out of range");
  if (c.kh() > 0 && c.kw() > 0 &&
      (c.h() + (static_cast<I128>(c.kh()) - 1) * c.dilation_h()) *
              (c.w() + (static_cast<I128>(c.kw()) - 1) * c.dilation_w()) *
              c.o() >
          (I128(1) << 31))
    return fail(where + ": conv2d backward-data needs a padded image of more "
                        "than 2^31 elements (kernel reach too large)");
  const char *kernel = "conv2d backward-data";
  return checkStridedOperand(where, kernel, "grad", c.grad(), c.grad_strides(),
                             {c.n(), c.oh(), c.ow(), c.o()}) &&
         checkStridedOperand(where, kernel, "filter", c.filter(),
                             c.filter_strides(),
                             {c.o(), c.kh(), c.kw(), c.c()}) &&
         checkStridedOperand(where, kernel, "result", c.result(),
                             c.result_strides(), {c.n(), c.h(), c.w(), c.c()});
}

bool SemanticVerifier::checkStridedOperand(
    const std::string &where, const char *kernel, const char *what,
    uint32_t tensor, const flatbuffers::Vector<int64_t> *strides,
    std::array<int64_t, 4> dims) {
  if (!strides || strides->size() != 4)
    return fail(fmt::format("{}: {} {} needs 4 strides", where, kernel, what));
  I128 last = 0;
  for (int d = 0; d < 4; ++d) {
    if (strides->Get(d) < 0)
      return fail(
          fmt::format("{}: {} {} has a negative stride", where, kernel, what));
    if (dims[d] == 0)
      return true;
    last += static_cast<I128>(strides->Get(d)) * (dims[d] - 1);
  }
  return checkSpan(where, what, tensor, last + 1);
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


std::string verifyPlanSemantics(const Plan &plan) {
  return SemanticVerifier(plan).run();
}

} // namespace ipuc::plan
