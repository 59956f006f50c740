//===- GenericStreamTest.cpp - Streaming path against the general driver --===//
//
// runGenericStream must give exactly runGeneric's bytes. Random programs over
// every register class (float from f32/f16/bf16/f64 storage, integers from
// i1/i8/i32/i64) on random shapes (ragged last blocks, one element, rows),
// with contiguous, scalar-broadcast and row-broadcast operands, several
// outputs, outputs read as inits and yields of registers overwritten later,
// on one and two threads; and planGenericStream refuses the kernels whose
// result could depend on how lanes are blocked.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/GenericStream.h"
#include "PlanTestBuilder.h"
#include "ipuc/kernels/Generic.h"
#include "ipuc/plan/Plan.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

using namespace ipuc;
using namespace ipuc::kernels;
using plan::DType;
using plan::Opcode;
using test::instr;

namespace {

enum class Layout { Contiguous, Scalar, Row, Column };

struct Buffer {
  DType dtype;
  Layout layout;
  std::vector<int64_t> strides;
  std::vector<uint8_t> bytes;
};

/// A random kernel: bounds, operands (inputs then outputs) and a program in
/// which every register is written before it is read.
struct Case {
  std::vector<int64_t> bounds;
  std::vector<Buffer> ops;
  size_t nin = 0;
  std::vector<plan::Instr> program;
  uint32_t numRegisters = 0;
};

bool isFloat(DType t) { return plan::isFloatDType(t); }

int64_t elementCount(const std::vector<int64_t> &bounds,
                     const std::vector<int64_t> &strides) {
  int64_t last = 0;
  for (size_t d = 0; d < bounds.size(); ++d)
    last += (bounds[d] - 1) * strides[d];
  return last + 1;
}

void fillRandom(Buffer &b, int64_t count, std::mt19937_64 &rng) {
  const size_t size = plan::dtypeSize(b.dtype);
  b.bytes.assign(count * size, 0);
  std::uniform_real_distribution<float> real(-2.0f, 2.0f);
  std::uniform_int_distribution<int> pick(0, 19);
  for (int64_t i = 0; i < count; ++i) {
    uint8_t *p = b.bytes.data() + i * size;
    float f = real(rng);
    // Some zeros of both signs, NaNs and infinities among the floats.
    switch (pick(rng)) {
    case 0:
      f = 0.0f;
      break;
    case 1:
      f = -0.0f;
      break;
    case 2:
      f = std::numeric_limits<float>::quiet_NaN();
      break;
    case 3:
      f = -std::numeric_limits<float>::infinity();
      break;
    default:
      break;
    }
    int64_t v = int64_t(rng() % 41) - 20;
    switch (b.dtype) {
    case DType::F32:
      std::memcpy(p, &f, 4);
      break;
    case DType::F64: {
      double d = f;
      std::memcpy(p, &d, 8);
      break;
    }
    case DType::F16:
    case DType::BF16: {
      uint16_t h = uint16_t(rng());
      std::memcpy(p, &h, 2);
      break;
    }
    case DType::I1:
      *p = uint8_t(rng() & 1);
      break;
    case DType::I8:
      *reinterpret_cast<int8_t *>(p) = int8_t(v);
      break;
    case DType::I16: {
      int16_t s = int16_t(v);
      std::memcpy(p, &s, 2);
      break;
    }
    case DType::I32: {
      int32_t s = int32_t(v);
      std::memcpy(p, &s, 4);
      break;
    }
    case DType::I64:
      std::memcpy(p, &v, 8);
      break;
    }
  }
}

std::vector<int64_t> stridesFor(Layout layout,
                                const std::vector<int64_t> &bounds) {
  const size_t rank = bounds.size();
  std::vector<int64_t> row(rank, 0);
  int64_t s = 1;
  for (size_t d = rank; d-- > 0;) {
    row[d] = s;
    s *= bounds[d];
  }
  std::vector<int64_t> out(rank, 0);
  switch (layout) {
  case Layout::Contiguous:
    return row;
  case Layout::Scalar:
    return out;
  case Layout::Row: // a bias: varies along the last dimension only
    if (rank)
      out[rank - 1] = 1;
    return out;
  case Layout::Column: // one value per row
    for (size_t d = 0; d + 1 < rank; ++d)
      out[d] = row[d] / std::max<int64_t>(bounds[rank - 1], 1);
    return out;
  }
  return out;
}

Case randomCase(std::mt19937_64 &rng, std::vector<int64_t> bounds,
                bool onlyStreamable) {
  Case c;
  c.bounds = std::move(bounds);
  const DType floats[] = {DType::F32, DType::F32,  DType::F32,
                          DType::F16, DType::BF16, DType::F64};
  const DType ints[] = {DType::I64, DType::I32, DType::I8, DType::I1};
  auto randomDtype = [&] {
    return rng() % 3 ? floats[rng() % 6] : ints[rng() % 4];
  };
  c.nin = 1 + rng() % 5;
  const size_t nout = 1 + rng() % 3;
  for (size_t k = 0; k < c.nin + nout; ++k) {
    Buffer b;
    b.dtype = randomDtype();
    b.layout = Layout::Contiguous;
    if (k < c.nin) {
      int r = rng() % 6;
      if (r == 0)
        b.layout = Layout::Scalar;
      else if (r == 1 && !onlyStreamable)
        b.layout = Layout::Row;
      else if (r == 2 && !onlyStreamable)
        b.layout = Layout::Column;
    }
    b.strides = stridesFor(b.layout, c.bounds);
    fillRandom(b, elementCount(c.bounds, b.strides), rng);
    c.ops.push_back(std::move(b));
  }
  // Registers: the operands first, then one new register per instruction;
  // sources are drawn from the registers written so far, of the right class.
  std::vector<uint16_t> fregs, iregs;
  for (size_t k = 0; k < c.ops.size(); ++k)
    (isFloat(c.ops[k].dtype) ? fregs : iregs).push_back(uint16_t(k));
  uint16_t next = uint16_t(c.ops.size());
  auto pickOf = [&](std::vector<uint16_t> &regs) {
    return regs[rng() % regs.size()];
  };
  auto f = [&] {
    if (fregs.empty()) {
      c.program.push_back(instr(Opcode::ConstF, DType::F32, next, 0, 0, 0, 0,
                                double(rng() % 7) - 3.0));
      fregs.push_back(next++);
    }
    return pickOf(fregs);
  };
  auto i = [&] {
    if (iregs.empty()) {
      c.program.push_back(
          instr(Opcode::ConstI, DType::I32, next, 0, 0, 0, int64_t(rng() % 9)));
      iregs.push_back(next++);
    }
    return pickOf(iregs);
  };
  const Opcode fbin[] = {Opcode::AddF,    Opcode::SubF, Opcode::MulF,
                         Opcode::DivF,    Opcode::MaxF, Opcode::MinF,
                         Opcode::MaxNumF, Opcode::RemF, Opcode::PowF};
  const Opcode fun[] = {Opcode::Sqrt,  Opcode::Exp,  Opcode::NegF,
                        Opcode::AbsF,  Opcode::Tanh, Opcode::Log,
                        Opcode::Floor, Opcode::Expm1};
  const Opcode ibin[] = {Opcode::AddI,  Opcode::SubI, Opcode::MulI,
                         Opcode::AndI,  Opcode::XorI, Opcode::MaxSI,
                         Opcode::DivSI, Opcode::ShLI};
  const int count = 1 + rng() % 16;
  for (int n = 0; n < count; ++n) {
    const DType fdt = rng() % 4 ? DType::F32 : DType::F16;
    const DType idt = rng() % 2 ? DType::I32 : DType::I64;
    switch (rng() % 10) {
    case 0:
    case 1:
    case 2:
      c.program.push_back(instr(fbin[rng() % 9], fdt, next, f(), f()));
      fregs.push_back(next++);
      break;
    case 3:
      c.program.push_back(instr(fun[rng() % 8], fdt, next, f()));
      fregs.push_back(next++);
      break;
    case 4:
      c.program.push_back(instr(ibin[rng() % 8], idt, next, i(), i()));
      iregs.push_back(next++);
      break;
    case 5: // a comparison to i1, then a select or a conversion back
      c.program.push_back(instr(Opcode::CmpF, DType::I1, next, f(), f(), 0,
                                int64_t(rng() % 16), 0, DType::F32));
      iregs.push_back(next++);
      break;
    case 6: {
      uint16_t cond = i(), a = f(), b = f();
      c.program.push_back(instr(Opcode::Select, fdt, next, cond, a, b));
      fregs.push_back(next++);
      break;
    }
    case 7:
      c.program.push_back(instr(rng() % 2 ? Opcode::UIToFP : Opcode::SIToFP,
                                DType::F32, next, i(), 0, 0, 0, 0,
                                rng() % 2 ? DType::I1 : DType::I32));
      fregs.push_back(next++);
      break;
    case 8:
      c.program.push_back(instr(Opcode::FPToSI, DType::I32, next, f()));
      iregs.push_back(next++);
      break;
    default: // a constant: invariant, computed in the first block only
      c.program.push_back(instr(Opcode::ConstF, fdt, next, 0, 0, 0, 0,
                                0.25 * double(rng() % 9)));
      fregs.push_back(next++);
      break;
    }
  }
  // Each output yields a register of its class (sometimes its own, read as
  // its initial value); sometimes a later instruction overwrites a yielded
  // register, so the yield must have kept the lanes of the yield.
  for (size_t j = 0; j < nout; ++j) {
    const size_t k = c.nin + j;
    uint16_t from = isFloat(c.ops[k].dtype) ? f() : i();
    if (rng() % 8 == 0)
      from = uint16_t(k);
    c.program.push_back(
        instr(Opcode::Yield, c.ops[k].dtype, 0, uint16_t(j), from));
    if (rng() % 4 == 0 && from >= c.ops.size())
      c.program.push_back(instr(
          isFloat(c.ops[k].dtype) ? Opcode::NegF : Opcode::SubI,
          isFloat(c.ops[k].dtype) ? DType::F32 : DType::I64, from, from, from));
  }
  c.numRegisters = next;
  return c;
}

GenericArgs argsFor(Case &c, std::vector<Buffer> &ops, int threads) {
  GenericArgs a;
  a.bounds = c.bounds;
  for (size_t k = 0; k < ops.size(); ++k) {
    StridedOperand o{ops[k].bytes.data(), ops[k].dtype, 0,
                     ops[k].strides.data()};
    (k < c.nin ? a.inputs : a.outputs).push_back(o);
  }
  a.program = c.program.data();
  a.programSize = c.program.size();
  a.numRegisters = c.numRegisters;
  a.numThreads = threads;
  return a;
}

std::string describe(const Case &c) {
  std::string s = "bounds [";
  for (int64_t b : c.bounds)
    s += std::to_string(b) + " ";
  s += "] operands";
  for (size_t k = 0; k < c.ops.size(); ++k)
    s += " " + std::to_string(int(c.ops[k].dtype)) + "/" +
         std::to_string(int(c.ops[k].layout));
  s += " program:";
  for (const plan::Instr &in : c.program)
    s += " " + std::string(plan::EnumNameOpcode(in.opcode())) + "(" +
         std::to_string(int(in.dtype())) + ") r" + std::to_string(in.dst()) +
         " r" + std::to_string(in.a()) + " r" + std::to_string(in.b()) + " r" +
         std::to_string(in.c()) + ";";
  return s;
}

/// Runs `c` both ways and compares every output byte; returns whether the
/// streaming path took it.
bool sameBytes(Case &c, int threads) {
  std::vector<Buffer> general = c.ops, streamed = c.ops;
  GenericArgs ga = argsFor(c, general, threads);
  GenericArgs sa = argsFor(c, streamed, threads);
  std::string error;
  EXPECT_TRUE(runGeneric(ga, error)) << error;
  std::optional<GenericStream> plan = planGenericStream(sa);
  if (plan)
    EXPECT_TRUE(runGenericStream(*plan, sa, error)) << error;
  else
    EXPECT_TRUE(runGeneric(sa, error)) << error;
  for (size_t k = c.nin; k < c.ops.size(); ++k)
    EXPECT_EQ(0, std::memcmp(general[k].bytes.data(), streamed[k].bytes.data(),
                             general[k].bytes.size()))
        << "output " << k - c.nin << " of " << describe(c) << " first at "
        << [&] {
             size_t i = 0;
             while (general[k].bytes[i] == streamed[k].bytes[i])
               ++i;
             return i;
           }();
  return plan.has_value();
}

const std::vector<std::vector<int64_t>> kShapes = {
    {1},         {3},       {255},    {256},         {257},
    {1000},      {4097},    {2, 300}, {64, 257},     {1, 513, 1},
    {7, 1, 200}, {3, 4, 5}, {},       {2, 2, 2, 100}};

TEST(GenericStream, RandomProgramsMatchTheGeneralDriverBitForBit) {
  std::mt19937_64 rng(20261201);
  int streamed = 0, total = 0;
  for (int trial = 0; trial < 600; ++trial) {
    Case c = randomCase(rng, kShapes[trial % kShapes.size()], trial % 2);
    streamed += sameBytes(c, 1);
    ++total;
  }
  // Contiguous and scalar operands always stream; with row/column
  // broadcasts some rows are long enough to stream as well.
  EXPECT_GT(streamed, total / 2);
}

TEST(GenericStream, ContiguousAndScalarOperandsAlwaysStream) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Case c = randomCase(rng, kShapes[trial % kShapes.size()], true);
    EXPECT_TRUE(sameBytes(c, 1)) << describe(c);
  }
}

TEST(GenericStream, LargeKernelsSplitOverThreadsMatch) {
  std::mt19937_64 rng(11);
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{100003}, {37, 4099}, {1, 70001}}) {
    for (int trial = 0; trial < 12; ++trial) {
      Case c = randomCase(rng, shape, trial % 2);
      sameBytes(c, 2);
      sameBytes(c, 3);
    }
  }
}

/// Outputs that update an input in place (the host device's resident
/// training state): both paths give the bytes of the same kernel over
/// separate buffers.
TEST(GenericStream, InPlaceUpdatesMatchSeparateBuffers) {
  std::mt19937_64 rng(5);
  int aliased = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    Case c = randomCase(rng, kShapes[trial % kShapes.size()], true);
    // The first contiguous input of output 0's dtype becomes its storage.
    const size_t out = c.nin;
    size_t in = c.nin;
    for (size_t k = 0; k < c.nin && in == c.nin; ++k)
      if (c.ops[k].layout == Layout::Contiguous &&
          c.ops[k].dtype == c.ops[out].dtype)
        in = k;
    // Not when the program reads output 0's register (its old contents,
    // which sharing changes; the host device shares no such output).
    bool readsOutput = false;
    for (const plan::Instr &i : c.program)
      readsOutput |= i.opcode() == Opcode::Yield
                         ? i.b() == out
                         : (i.a() == out || i.b() == out || i.c() == out);
    if (in == c.nin || readsOutput)
      continue;
    ++aliased;
    std::vector<Buffer> separate = c.ops, general = c.ops, streamed = c.ops;
    std::string error;
    GenericArgs sa = argsFor(c, separate, 1);
    ASSERT_TRUE(runGeneric(sa, error)) << error;
    for (std::vector<Buffer> *ops : {&general, &streamed}) {
      GenericArgs a = argsFor(c, *ops, 1);
      a.outputs[0].data = a.inputs[in].data;
      if (ops == &general) {
        ASSERT_TRUE(runGeneric(a, error)) << error;
      } else {
        std::optional<GenericStream> plan = planGenericStream(a);
        ASSERT_TRUE(plan) << describe(c);
        ASSERT_TRUE(runGenericStream(*plan, a, error)) << error;
      }
      // Output 0 now lives in input `in`; the other outputs where they were.
      EXPECT_EQ(0,
                std::memcmp((*ops)[in].bytes.data(), separate[out].bytes.data(),
                            separate[out].bytes.size()))
          << describe(c);
      for (size_t k = out + 1; k < c.ops.size(); ++k)
        EXPECT_EQ(0,
                  std::memcmp((*ops)[k].bytes.data(), separate[k].bytes.data(),
                              separate[k].bytes.size()))
            << describe(c);
    }
  }
  EXPECT_GT(aliased, 60);
}

/// The body of an Adam update (the optimizer dialect's fused kernel) over
/// 200 003 elements with two broadcast scalars and three outputs.
TEST(GenericStream, AdamUpdateBody) {
  const int64_t n = 200003;
  Case c;
  c.bounds = {n};
  c.nin = 6;
  std::mt19937_64 rng(3);
  for (int k = 0; k < 9; ++k) {
    Buffer b;
    b.dtype = DType::F32;
    b.layout = (k == 4 || k == 5) ? Layout::Scalar : Layout::Contiguous;
    b.strides = stridesFor(b.layout, c.bounds);
    fillRandom(b, elementCount(c.bounds, b.strides), rng);
    c.ops.push_back(std::move(b));
  }
  auto F = DType::F32;
  c.program = {instr(Opcode::ConstF, F, 9, 0, 0, 0, 0, 0.1),
               instr(Opcode::MulF, F, 10, 1, 9),
               instr(Opcode::ConstF, F, 11, 0, 0, 0, 0, 0.9),
               instr(Opcode::MulF, F, 12, 2, 11),
               instr(Opcode::AddF, F, 13, 12, 10),
               instr(Opcode::MulF, F, 14, 1, 1),
               instr(Opcode::ConstF, F, 15, 0, 0, 0, 0, 0.001),
               instr(Opcode::MulF, F, 16, 14, 15),
               instr(Opcode::ConstF, F, 17, 0, 0, 0, 0, 0.999),
               instr(Opcode::MulF, F, 18, 3, 17),
               instr(Opcode::AddF, F, 19, 18, 16),
               instr(Opcode::Sqrt, F, 20, 19),
               instr(Opcode::DivF, F, 21, 20, 5),
               instr(Opcode::ConstF, F, 22, 0, 0, 0, 0, 1e-8),
               instr(Opcode::AddF, F, 23, 21, 22),
               instr(Opcode::DivF, F, 24, 13, 23),
               instr(Opcode::MulF, F, 25, 4, 24),
               instr(Opcode::SubF, F, 26, 0, 25),
               instr(Opcode::Yield, F, 0, 0, 26),
               instr(Opcode::Yield, F, 0, 1, 13),
               instr(Opcode::Yield, F, 0, 2, 19)};
  c.numRegisters = 27;
  EXPECT_TRUE(sameBytes(c, 1));
  EXPECT_TRUE(sameBytes(c, 2));
}

/// planGenericStream's refusals, each a kernel whose result could depend on
/// the blocking or which the general driver walks better.
TEST(GenericStream, RefusesWhatItCannotStreamExactly) {
  std::vector<float> x(1200, 1.0f), y(1200, 0.0f);
  const std::vector<int64_t> one = {1}, zero = {0}, two = {2}, rows = {300, 1},
                             transposed = {1, 300}, shortRows = {10, 1},
                             paddedRows = {20, 1};
  std::vector<std::vector<int64_t>> keep; // strides outlive the args
  auto args = [&](std::vector<int64_t> bounds, const std::vector<int64_t> &in,
                  std::vector<int64_t> out, std::vector<plan::Instr> &prog) {
    GenericArgs a;
    a.bounds = std::move(bounds);
    a.inputs.push_back({x.data(), DType::F32, 0, in.data()});
    keep.push_back(std::move(out));
    a.outputs.push_back({y.data(), DType::F32, 0, keep.back().data()});
    a.program = prog.data();
    a.programSize = prog.size();
    a.numRegisters = 8;
    return a;
  };
  std::vector<plan::Instr> copy = {instr(Opcode::Yield, DType::F32, 0, 0, 0)};
  EXPECT_TRUE(planGenericStream(args({600}, one, one, copy)));
  // A strided input (every other element) and a transposed output.
  EXPECT_FALSE(planGenericStream(args({300}, two, one, copy)));
  EXPECT_FALSE(planGenericStream(args({2, 300}, rows, transposed, copy)));
  // Rows too short to stream (written into padded rows, so that they do
  // not merge into one), and long enough.
  EXPECT_FALSE(planGenericStream(args({60, 10}, shortRows, paddedRows, copy)));
  EXPECT_TRUE(planGenericStream(args({2, 300}, rows, {600, 1}, copy)));
  // A reduction: the output does not move along the loop.
  EXPECT_FALSE(planGenericStream(args({600}, one, zero, copy)));
  // Register 3 read before anything writes it: it would carry the previous
  // block's lanes.
  std::vector<plan::Instr> early = {instr(Opcode::AddF, DType::F32, 2, 0, 3),
                                    instr(Opcode::ConstF, DType::F32, 3),
                                    instr(Opcode::Yield, DType::F32, 0, 0, 2)};
  EXPECT_FALSE(planGenericStream(args({600}, one, one, early)));
  // Loop indices.
  std::vector<plan::Instr> index = {
      instr(Opcode::Index, DType::I64, 2, 0),
      instr(Opcode::SIToFP, DType::F32, 3, 2, 0, 0, 0, 0, DType::I64),
      instr(Opcode::Yield, DType::F32, 0, 0, 3)};
  EXPECT_FALSE(planGenericStream(args({600}, one, one, index)));
  // An output overlapping its input one element further on: a block would
  // read what the previous block wrote.
  GenericArgs shifted = args({599}, one, one, copy);
  shifted.outputs[0].data = x.data() + 1;
  EXPECT_FALSE(planGenericStream(shifted));
}

/// A plan taken while the buffers were distinct, run after they came to
/// overlap, falls back to the general driver and still computes its result.
TEST(GenericStream, FallsBackWhenBuffersOverlapAtRunTime) {
  std::vector<float> x(601), y(600);
  for (int i = 0; i < 601; ++i)
    x[i] = float(i);
  const std::vector<int64_t> one = {1};
  std::vector<plan::Instr> prog = {
      instr(Opcode::ConstF, DType::F32, 2, 0, 0, 0, 0, 1.0),
      instr(Opcode::AddF, DType::F32, 3, 0, 2),
      instr(Opcode::Yield, DType::F32, 0, 0, 3)};
  GenericArgs a;
  a.bounds = {600};
  a.inputs.push_back({x.data(), DType::F32, 0, one.data()});
  a.outputs.push_back({y.data(), DType::F32, 0, one.data()});
  a.program = prog.data();
  a.programSize = prog.size();
  a.numRegisters = 4;
  std::optional<GenericStream> plan = planGenericStream(a);
  ASSERT_TRUE(plan);
  // Now out[i] = x[i + 1] + 1 read and written over the same buffer:
  // runGeneric's own chunked semantics, whatever they are, must be kept.
  std::vector<float> reference(x);
  a.inputs[0].data = reference.data() + 1;
  a.outputs[0].data = reference.data();
  std::string error;
  ASSERT_TRUE(runGeneric(a, error)) << error;
  a.inputs[0].data = x.data() + 1;
  a.outputs[0].data = x.data();
  ASSERT_TRUE(runGenericStream(*plan, a, error)) << error;
  EXPECT_EQ(0, std::memcmp(x.data(), reference.data(), x.size() * 4));
}

} // namespace
