//===- Printer.cpp - Human-readable plan dump -----------------------------===//
//
// The format is stable enough for lit tests to FileCheck: one header block,
// one line per tensor, then one block per kernel.
//
//===----------------------------------------------------------------------===//

#include "ipuc/plan/Plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

namespace ipuc::plan {
namespace {

template <typename T> std::string list(const flatbuffers::Vector<T> *v) {
  std::string s = "[";
  if (v)
    for (size_t i = 0; i < v->size(); ++i)
      s += (i ? ", " : "") + fmt::format("{}", v->Get(i));
  return s + "]";
}

std::string operand(const Operand &op) {
  return fmt::format("%{}[offset {}, strides {}]", op.tensor(), op.offset(),
                     list(op.strides()));
}

std::string instr(const Instr &in) {
  const char *name = EnumNameOpcode(in.opcode());
  std::string op = (name && *name) ? name : fmt::format("op{}", int(in.opcode()));
  std::string ty = dtypeName(in.dtype());
  switch (in.opcode()) {
  case Opcode::ConstF:
    return fmt::format("r{} = ConstF {} : {}", in.dst(), in.fimm(), ty);
  case Opcode::ConstI:
    return fmt::format("r{} = ConstI {} : {}", in.dst(), in.iimm(), ty);
  case Opcode::Index:
    return fmt::format("r{} = Index d{}", in.dst(), in.a());
  case Opcode::Yield:
    return fmt::format("Yield out{} = r{}", in.a(), in.b());
  case Opcode::Extract: {
    std::string idx;
    for (unsigned i = 0; i < in.c(); ++i)
      idx += fmt::format("{}r{}", i ? ", " : "", in.b() + i);
    return fmt::format("r{} = Extract captured{}[{}] : {}", in.dst(), in.a(),
                       idx, ty);
  }
  default:
    break;
  }
  unsigned arity = opcodeArity(in.opcode());
  std::string s = fmt::format("r{} = {}", in.dst(), op);
  if (in.opcode() == Opcode::CmpF || in.opcode() == Opcode::CmpI)
    s += fmt::format(" pred {}", in.iimm());
  if (arity > 0)
    s += fmt::format(" r{}", in.a());
  if (arity > 1)
    s += fmt::format(", r{}", in.b());
  if (arity > 2)
    s += fmt::format(", r{}", in.c());
  s += " : ";
  if (in.src_dtype() != in.dtype())
    s += fmt::format("{} -> ", dtypeName(in.src_dtype()));
  return s + ty;
}

void printGeneric(std::string &s, const Generic &g) {
  s += fmt::format("    loop_bounds {}\n", list(g.loop_bounds()));
  std::string kinds = "[";
  if (auto *b = g.loop_bounds())
    for (size_t d = 0; d < b->size(); ++d) {
      bool red = g.reduction_dims() && d < g.reduction_dims()->size() &&
                 g.reduction_dims()->Get(d);
      kinds += (d ? ", " : "") + std::string(red ? "reduction" : "parallel");
    }
  s += fmt::format("    iterators {}]\n", kinds);
  if (g.inputs())
    for (size_t i = 0; i < g.inputs()->size(); ++i)
      s += fmt::format("    in{} = {}\n", i, operand(*g.inputs()->Get(i)));
  if (g.outputs())
    for (size_t i = 0; i < g.outputs()->size(); ++i) {
      int init = g.inits() && i < g.inits()->size() ? g.inits()->Get(i) : -1;
      s += fmt::format("    out{} = {}{}\n", i, operand(*g.outputs()->Get(i)),
                       init >= 0 ? fmt::format(" init %{}", init) : "");
    }
  if (g.captured() && g.captured()->size())
    s += fmt::format("    captured {}\n", list(g.captured()));
  s += fmt::format("    registers {}\n", g.num_registers());
  if (g.program())
    for (const Instr *in : *g.program())
      s += "      " + instr(*in) + "\n";
}

void printBody(std::string &s, KernelBody type, const void *body);

void printKernel(std::string &s, size_t idx, const Kernel &k) {
  s += fmt::format("kernel {} {} loc(\"{}\")\n", idx,
                   k.name() ? k.name()->str() : "?",
                   k.loc() ? k.loc()->str() : "");
  printBody(s, k.body_type(), k.body());
}

void printBody(std::string &s, KernelBody type, const void *body) {
  if (!body) {
    s += "    <missing body>\n";
    return;
  }
  switch (type) {
  case KernelBody::Generic:
    printGeneric(s, *static_cast<const Generic *>(body));
    break;
  case KernelBody::MatMul: {
    const MatMul &m = *static_cast<const MatMul *>(body);
    s += fmt::format("    matmul %{} = %{}{} x %{}{}", m.result(), m.lhs(),
                     m.transpose_lhs() ? "^T" : "", m.rhs(),
                     m.transpose_rhs() ? "^T" : "");
    if (m.init() >= 0)
      s += fmt::format(" + %{}", m.init());
    s += fmt::format(" batch {} (strides {}, {}) m {} n {} k {}\n", m.batch(),
                     m.lhs_batch_stride(), m.rhs_batch_stride(), m.m(), m.n(),
                     m.k());
    break;
  }
  case KernelBody::Conv2D: {
    const Conv2D &c = *static_cast<const Conv2D *>(body);
    s += fmt::format("    conv2d %{} = %{} * %{}", c.result(), c.input(),
                     c.filter());
    if (c.init() >= 0)
      s += fmt::format(" + %{}", c.init());
    s += fmt::format(" input [{}x{}x{}x{}] filter [{}x{}x{}] out [{}x{}] "
                     "stride [{}, {}] dilation [{}, {}] groups {}\n",
                     c.n(), c.h(), c.w(), c.c(), c.f(), c.kh(), c.kw(), c.oh(),
                     c.ow(), c.stride_h(), c.stride_w(), c.dilation_h(),
                     c.dilation_w(), c.groups());
    break;
  }
  case KernelBody::Conv2DBackwardFilter: {
    const Conv2DBackwardFilter &c =
        *static_cast<const Conv2DBackwardFilter *>(body);
    auto list = [](const flatbuffers::Vector<int64_t> *v) {
      return v ? fmt::format("[{}]", fmt::join(*v, ", ")) : std::string("[]");
    };
    s += fmt::format("    conv2d_backward_filter %{}{} = %{}{} (grad) * "
                     "%{}{} (input) input [{}x{}x{}x{}] out [{}x{}x{}x{}] "
                     "grad [{}x{}] stride [{}, {}] dilation [{}, {}]\n",
                     c.result(), list(c.result_strides()), c.grad(),
                     list(c.grad_strides()), c.input(),
                     list(c.input_strides()), c.n(), c.h(), c.w(), c.c(),
                     c.o(), c.kh(), c.kw(), c.c(), c.oh(), c.ow(),
                     c.stride_h(), c.stride_w(), c.dilation_h(),
                     c.dilation_w());
    break;
  }
  case KernelBody::MaxPool2DBackward: {
    const MaxPool2DBackward &p = *static_cast<const MaxPool2DBackward *>(body);
    s += fmt::format("    max_pool2d_backward %{}{} = (%{}{} == %{}{} (max)) "
                     "* %{}{} (grad)",
                     p.result(), list(p.result_strides()), p.input(),
                     list(p.input_strides()), p.max(), list(p.max_strides()),
                     p.grad(), list(p.grad_strides()));
    if (p.mask() >= 0)
      s += fmt::format(" * (%{}{} >= 0)", p.mask(), list(p.mask_strides()));
    s += fmt::format(" pooled [{}x{}x{}x{}] window [{}x{}]\n", p.n(), p.oh(),
                     p.ow(), p.c(), p.kh(), p.kw());
    break;
  }
  case KernelBody::Conv2DBackwardData: {
    const Conv2DBackwardData &c =
        *static_cast<const Conv2DBackwardData *>(body);
    auto list = [](const flatbuffers::Vector<int64_t> *v) {
      return v ? fmt::format("[{}]", fmt::join(*v, ", ")) : std::string("[]");
    };
    s += fmt::format(
        "    conv2d_backward_data %{}{} = %{}{} (grad) * "
        "%{}{} (filter) grad [{}x{}x{}x{}] filter [{}x{}x{}] "
        "out [{}x{}x{}] stride [{}, {}] dilation [{}, {}] "
        "pad [{}, {}]\n",
        c.result(), list(c.result_strides()), c.grad(), list(c.grad_strides()),
        c.filter(), list(c.filter_strides()), c.n(), c.oh(), c.ow(), c.o(),
        c.kh(), c.kw(), c.c(), c.h(), c.w(), c.c(), c.stride_h(), c.stride_w(),
        c.dilation_h(), c.dilation_w(), c.pad_top(), c.pad_left());
    break;
  }
  case KernelBody::Copy: {
    const Copy &c = *static_cast<const Copy *>(body);
    s += fmt::format("    copy %{}[offset {}, strides {}] = %{}[offset {}, "
                     "strides {}] sizes {}\n",
                     c.dst(), c.dst_offset(), list(c.dst_strides()), c.src(),
                     c.src_offset(), list(c.src_strides()), list(c.sizes()));
    break;
  }
  case KernelBody::Fill: {
    const Fill &f = *static_cast<const Fill *>(body);
    s += fmt::format("    fill %{} = {} / {}\n", f.dst(), f.fimm(), f.iimm());
    break;
  }
  default:
    s += "    <unknown body>\n";
  }
}

std::string box(const Box *b) {
  if (!b)
    return "<missing box>";
  std::string s = fmt::format("%{}[", b->tensor());
  size_t rank = b->sizes() ? b->sizes()->size() : 0;
  for (size_t d = 0; d < rank; ++d) {
    int64_t o = b->offsets() && d < b->offsets()->size() ? b->offsets()->Get(d) : 0;
    s += fmt::format("{}{}:{}", d ? ", " : "", o, o + b->sizes()->Get(d));
  }
  return s + "]";
}

std::string indentLines(const std::string &text, const std::string &indent) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size() - 1;
    out += indent + text.substr(pos, nl - pos + 1);
    pos = nl + 1;
  }
  return out;
}

void printSteps(std::string &s,
                const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps,
                const std::string &ind) {
  if (!steps)
    return;
  for (const Step *step : *steps) {
    if (!step->body()) {
      s += ind + "<missing step>\n";
      continue;
    }
    switch (step->body_type()) {
    case StepBody::ComputeSet: {
      const ComputeSet &cs = *step->body_as_ComputeSet();
      size_t nv = cs.vertices() ? cs.vertices()->size() : 0;
      s += fmt::format("{}compute_set \"{}\" loc(\"{}\") vertices {}\n", ind,
                       cs.name() ? cs.name()->str() : "",
                       cs.loc() ? cs.loc()->str() : "", nv);
      for (size_t vi = 0; vi < nv; ++vi) {
        const Vertex &v = *cs.vertices()->Get(vi);
        s += fmt::format("{}  vertex {} tile {} flops {}\n", ind, vi, v.tile(),
                         v.flops());
        if (v.operands())
          for (size_t o = 0; o < v.operands()->size(); ++o)
            s += fmt::format("{}    operand {} = {}\n", ind, o,
                             box(v.operands()->Get(o)));
        std::string body;
        printBody(body, v.codelet_type(), v.codelet());
        s += indentLines(body, ind + "  ");
      }
      break;
    }
    case StepBody::Exchange: {
      const Exchange &ex = *step->body_as_Exchange();
      size_t nc = ex.copies() ? ex.copies()->size() : 0;
      s += fmt::format("{}exchange \"{}\" loc(\"{}\") copies {}\n", ind,
                       ex.name() ? ex.name()->str() : "",
                       ex.loc() ? ex.loc()->str() : "", nc);
      for (size_t ci = 0; ci < nc; ++ci) {
        const ExchangeCopy &c = *ex.copies()->Get(ci);
        s += fmt::format("{}  copy {} = {}", ind, box(c.dst()), box(c.src()));
        if (c.perm())
          s += fmt::format(" perm [{}]", fmt::join(*c.perm(), ", "));
        s += "\n";
      }
      break;
    }
    case StepBody::Repeat: {
      const Repeat &r = *step->body_as_Repeat();
      s += fmt::format("{}repeat {} {{\n", ind, r.count());
      printSteps(s, r.body(), ind + "  ");
      s += ind + "}\n";
      break;
    }
    case StepBody::Rerun: {
      const Rerun &r = *step->body_as_Rerun();
      std::vector<std::string> renames;
      size_t n =
          r.from() && r.to() ? std::min(r.from()->size(), r.to()->size()) : 0;
      for (size_t i = 0; i < n; ++i)
        renames.push_back(
            fmt::format("%{} -> %{}", r.from()->Get(i), r.to()->Get(i)));
      s += fmt::format("{}rerun \"{}\" loc(\"{}\") of step {} {{{}}}\n", ind,
                       r.name() ? r.name()->str() : "",
                       r.loc() ? r.loc()->str() : "", r.step(),
                       fmt::join(renames, ", "));
      break;
    }
    case StepBody::HostWrite: {
      const HostWrite &w = *step->body_as_HostWrite();
      s += fmt::format("{}host_write %{} = input \"{}\"\n", ind, w.tensor(),
                       w.binding() ? w.binding()->str() : "");
      break;
    }
    case StepBody::HostRead: {
      const HostRead &r = *step->body_as_HostRead();
      s += fmt::format("{}host_read output \"{}\" = %{}\n", ind,
                       r.binding() ? r.binding()->str() : "", r.tensor());
      break;
    }
    default:
      s += ind + "<unknown step>\n";
    }
  }
}

void printTileProgram(std::string &s, const TileProgram &tp) {
  s += "tile_program\n";
  // The first tensor mapped with each interval vector: ipuc shares one
  // among the tensors of one mapping, and the listing says so.
  std::map<const void *, uint32_t> firstWith;
  if (auto *maps = tp.mappings())
    for (const TensorMapping *m : *maps) {
      s += fmt::format("  mapping %{}:", m->tensor());
      if (m->intervals())
        for (size_t i = 0; i < m->intervals()->size(); ++i) {
          const TileInterval *iv = m->intervals()->Get(i);
          s += fmt::format("{} tile {} [{}, {}) @{}", i ? "," : "", iv->tile(),
                           iv->begin(), iv->end(), iv->address());
        }
      if (m->intervals() && m->intervals()->size()) {
        auto [it, first] = firstWith.try_emplace(m->intervals(), m->tensor());
        if (!first)
          s += fmt::format(" (the intervals of %{})", it->second);
      }
      s += "\n";
    }
  if (const TileImage *image = tp.image()) {
    s += fmt::format("  image {} bytes\n",
                     image->bytes() ? image->bytes()->size() : 0);
    if (image->ranges())
      for (const TileImageRange *r : *image->ranges())
        s += fmt::format("    tile {} bytes [{}, {}) from image byte {}\n",
                         r->tile(), r->address(), r->address() + r->size(),
                         r->offset());
  }
  printSteps(s, tp.steps(), "  ");
}

/// The Training table: the rule, its learning rate and schedule, and each
/// trained parameter with its shape and the optimizer state carried for it.
void printTraining(std::string &s, const Plan &plan) {
  const Training *t = plan.training();
  if (!t)
    return;
  s += fmt::format("training optimizer \"{}\" lr {}",
                   t->optimizer() ? t->optimizer()->str() : "", t->lr());
  if (t->lr_schedule() && t->lr_schedule()->size())
    s += fmt::format(" schedule {}", t->lr_schedule()->str());
  if (t->lr_input() && t->lr_input()->size())
    s += fmt::format(" lr_input \"{}\"", t->lr_input()->str());
  s += "\n";
  // Inputs by name, for the shapes.
  auto describe = [&](const flatbuffers::String *name) {
    std::string text = fmt::format("\"{}\"", name ? name->str() : "");
    if (plan.inputs() && plan.tensors() && name)
      for (const Binding *b : *plan.inputs())
        if (b->name() && b->name()->str() == name->str() &&
            b->tensor() < plan.tensors()->size()) {
          const Tensor &tensor = *plan.tensors()->Get(b->tensor());
          text += fmt::format(" {}[{}]", dtypeName(tensor.dtype()),
                              shapeString(tensor.shape()));
        }
    return text;
  };
  if (auto *params = t->parameters())
    for (const TrainedParameter *p : *params) {
      s += "  parameter " + describe(p->name());
      if (p->state() && p->state()->size()) {
        s += " state";
        for (size_t i = 0; i < p->state()->size(); ++i)
          s += (i ? ", " : " ") + describe(p->state()->Get(i));
      }
      s += "\n";
    }
}

} // namespace

std::string printPlan(const Plan &plan) {
  std::string s;
  s += fmt::format("plan version {} schema {}\n", plan.format_version(),
                   plan.schema_hash() ? plan.schema_hash()->str() : "");
  if (plan.producer() && plan.producer()->size())
    s += fmt::format("producer \"{}\"\n", plan.producer()->str());
  if (plan.source() && plan.source()->size())
    s += fmt::format("source \"{}\"\n", plan.source()->str());
  s += fmt::format("target {}\n", plan.target() ? plan.target()->str() : "");
  if (const Device *d = plan.device())
    s += fmt::format("device \"{}\" chips {} tiles {} sram {} clock {}\n",
                     d->name() ? d->name()->str() : "", d->num_chips(),
                     d->tiles_per_chip(), d->sram_bytes_per_tile(),
                     d->clock_hz());
  if (auto *ts = plan.tensors())
    for (size_t i = 0; i < ts->size(); ++i) {
      const Tensor &t = *ts->Get(i);
      s += fmt::format("%{} = tensor \"{}\" {}[{}] {}{}\n", i,
                       t.name() ? t.name()->str() : "", dtypeName(t.dtype()),
                       shapeString(t.shape()), roleName(t.role()),
                       constantInTileImage(plan, t) ? " (in the tile image)"
                                                    : "");
    }
  auto bindings = [&](const char *what, auto *bs) {
    if (bs)
      for (const Binding *b : *bs)
        s += fmt::format("{} \"{}\" = %{}\n", what,
                         b->name() ? b->name()->str() : "", b->tensor());
  };
  bindings("input", plan.inputs());
  bindings("output", plan.outputs());
  printTraining(s, plan);
  if (auto *prog = plan.host_program())
    for (size_t i = 0; i < prog->size(); ++i)
      printKernel(s, i, *prog->Get(i));
  if (const TileProgram *tp = plan.tile_program())
    printTileProgram(s, *tp);
  return s;
}

} // namespace ipuc::plan
