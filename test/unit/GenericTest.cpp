//===- GenericTest.cpp - The Generic interpreter against reference loops --===//

#include "PlanTestBuilder.h"
#include "ipuc/kernels/Generic.h"
#include "ipuc/kernels/Half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace ipuc;
using namespace ipuc::kernels;
using plan::DType;
using plan::Opcode;
using test::instr;

namespace {

struct Op {
  void *data;
  DType dtype;
  int64_t offset;
  std::vector<int64_t> strides;
};

void run(std::vector<int64_t> bounds, std::vector<uint8_t> red,
         std::vector<Op> ins, std::vector<Op> outs,
         std::vector<plan::Instr> prog, int threads = 1,
         std::vector<CapturedTensor> captured = {}) {
  GenericArgs a;
  a.bounds = bounds;
  a.reductionDims = red;
  for (auto &o : ins)
    a.inputs.push_back({o.data, o.dtype, o.offset, o.strides.data()});
  for (auto &o : outs)
    a.outputs.push_back({o.data, o.dtype, o.offset, o.strides.data()});
  a.program = prog.data();
  a.programSize = prog.size();
  a.numRegisters = 64;
  a.numThreads = threads;
  a.captured = std::move(captured);
  std::string err;
  ASSERT_TRUE(runGeneric(a, err)) << err;
}

// Binary elementwise op over n lanes of one dtype.
template <typename T>
std::vector<T> binary(Opcode op, DType dt, std::vector<T> x, std::vector<T> y,
                      int64_t pred = 0, DType resDt = DType::MAX,
                      DType srcDt = DType::MAX) {
  using R = T;
  std::vector<R> out(x.size());
  DType rdt = resDt == DType::MAX ? dt : resDt;
  DType sdt = srcDt == DType::MAX ? dt : srcDt;
  run({int64_t(x.size())}, {}, {{x.data(), dt, 0, {1}}, {y.data(), dt, 0, {1}}},
      {{out.data(), rdt, 0, {1}}},
      {instr(op, rdt, 3, 0, 1, 0, pred, 0, sdt),
       instr(Opcode::Yield, rdt, 0, 0, 3)});
  return out;
}

TEST(Generic, BroadcastAdd) {
  std::vector<float> a(6), b = {10, 20, 30}, c(6);
  for (int i = 0; i < 6; ++i)
    a[i] = float(i);
  run({2, 3}, {0, 0}, {{a.data(), DType::F32, 0, {3, 1}}, {b.data(), DType::F32, 0, {0, 1}}},
      {{c.data(), DType::F32, 0, {3, 1}}},
      {instr(Opcode::AddF, DType::F32, 3, 0, 1), instr(Opcode::Yield, DType::F32, 0, 0, 3)});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(c[i * 3 + j], a[i * 3 + j] + b[j]);
}

TEST(Generic, RowReductionWithAccumulator) {
  const int R = 5, C = 700;
  std::vector<float> a(R * C), out(R, 1.0f); // out holds the init value 1
  for (int i = 0; i < R * C; ++i)
    a[i] = float(i % 13) * 0.5f;
  run({R, C}, {0, 1}, {{a.data(), DType::F32, 0, {C, 1}}}, {{out.data(), DType::F32, 0, {1, 0}}},
      {instr(Opcode::AddF, DType::F32, 2, 0, 1), instr(Opcode::Yield, DType::F32, 0, 0, 2)});
  for (int i = 0; i < R; ++i) {
    double ref = 1.0;
    for (int j = 0; j < C; ++j)
      ref += a[i * C + j];
    EXPECT_NEAR(out[i], ref, 1e-3);
  }
}

TEST(Generic, FullReductionIsSequential) {
  // Non-commutative-looking body: out = out * 0.5 + x shows order matters.
  std::vector<float> a(1000), out(1, 0.0f);
  for (int i = 0; i < 1000; ++i)
    a[i] = float(i % 7);
  run({1000}, {1}, {{a.data(), DType::F32, 0, {1}}}, {{out.data(), DType::F32, 0, {0}}},
      {instr(Opcode::ConstF, DType::F32, 2, 0, 0, 0, 0, 0.5),
       instr(Opcode::MulF, DType::F32, 3, 1, 2), instr(Opcode::AddF, DType::F32, 4, 3, 0),
       instr(Opcode::Yield, DType::F32, 0, 0, 4)});
  float ref = 0;
  for (int i = 0; i < 1000; ++i)
    ref = ref * 0.5f + a[i];
  EXPECT_FLOAT_EQ(out[0], ref);
}

TEST(Generic, TransposedStridesAndThreads) {
  const int M = 300, N = 517;
  std::vector<float> a(M * N), c(M * N);
  for (int i = 0; i < M * N; ++i)
    a[i] = float(i);
  // c[j][i] = a[i][j] * 2, iterating (i, j).
  run({M, N}, {0, 0}, {{a.data(), DType::F32, 0, {N, 1}}}, {{c.data(), DType::F32, 0, {1, M}}},
      {instr(Opcode::ConstF, DType::F32, 2, 0, 0, 0, 0, 2.0),
       instr(Opcode::MulF, DType::F32, 3, 0, 2), instr(Opcode::Yield, DType::F32, 0, 0, 3)},
      /*threads=*/2);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j)
      ASSERT_EQ(c[j * M + i], a[i * N + j] * 2);
}

TEST(Generic, NegativeStrideReverse) {
  std::vector<int32_t> a = {1, 2, 3, 4, 5}, c(5);
  run({5}, {}, {{a.data(), DType::I32, 4, {-1}}}, {{c.data(), DType::I32, 0, {1}}},
      {instr(Opcode::Yield, DType::I32, 0, 0, 0)});
  EXPECT_EQ(c, (std::vector<int32_t>{5, 4, 3, 2, 1}));
}

TEST(Generic, IntegerWrap) {
  auto i32 = binary<int32_t>(Opcode::AddI, DType::I32, {INT32_MAX, -5}, {1, 3});
  EXPECT_EQ(i32[0], INT32_MIN);
  EXPECT_EQ(i32[1], -2);
  auto m32 = binary<int32_t>(Opcode::MulI, DType::I32, {65536}, {65536});
  EXPECT_EQ(m32[0], 0);
  auto i8 = binary<int8_t>(Opcode::AddI, DType::I8, {127, -128}, {1, -1});
  EXPECT_EQ(i8[0], -128);
  EXPECT_EQ(i8[1], 127);
  auto u8 = binary<int8_t>(Opcode::MaxUI, DType::I8, {-1, 3}, {5, 4});
  EXPECT_EQ(u8[0], -1); // 255 unsigned
  EXPECT_EQ(u8[1], 4);
  auto sh = binary<int8_t>(Opcode::ShRUI, DType::I8, {-128, 1}, {7, 9});
  EXPECT_EQ(sh[0], 1);
  EXPECT_EQ(sh[1], 0);
}

TEST(Generic, IntegerDivision) {
  std::vector<int64_t> x = {7, -7, 7, -7, 5, INT64_MIN}, y = {2, 2, -2, -2, 0, -1};
  EXPECT_EQ(binary<int64_t>(Opcode::DivSI, DType::I64, x, y),
            (std::vector<int64_t>{3, -3, -3, 3, 0, INT64_MIN}));
  EXPECT_EQ(binary<int64_t>(Opcode::FloorDivSI, DType::I64, x, y),
            (std::vector<int64_t>{3, -4, -4, 3, 0, INT64_MIN}));
  EXPECT_EQ(binary<int64_t>(Opcode::CeilDivSI, DType::I64, x, y),
            (std::vector<int64_t>{4, -3, -3, 4, 0, INT64_MIN}));
  EXPECT_EQ(binary<int64_t>(Opcode::RemSI, DType::I64, x, y),
            (std::vector<int64_t>{1, -1, 1, -1, 0, 0}));
  auto du = binary<int32_t>(Opcode::DivUI, DType::I32, {-2}, {2});
  EXPECT_EQ(uint32_t(du[0]), 0x7fffffffu);
}

TEST(Generic, MaxFPropagatesNaNButMaxNumFDoesNot) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  auto mx = binary<float>(Opcode::MaxF, DType::F32, {nan, 1, -0.0f}, {1, nan, 0.0f});
  EXPECT_TRUE(std::isnan(mx[0]));
  EXPECT_TRUE(std::isnan(mx[1]));
  EXPECT_FALSE(std::signbit(mx[2]));
  auto mn = binary<float>(Opcode::MaxNumF, DType::F32, {nan, 1}, {1, nan});
  EXPECT_EQ(mn[0], 1);
  EXPECT_EQ(mn[1], 1);
  auto mi = binary<float>(Opcode::MinF, DType::F32, {nan, -0.0f}, {1, 0.0f});
  EXPECT_TRUE(std::isnan(mi[0]));
  EXPECT_TRUE(std::signbit(mi[1]));
}

TEST(Generic, Comparisons) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {1, 2, nan}, y = {2, 2, 1};
  auto cmp = [&](int pred) {
    std::vector<uint8_t> out(3);
    run({3}, {}, {{x.data(), DType::F32, 0, {1}}, {y.data(), DType::F32, 0, {1}}},
        {{out.data(), DType::I1, 0, {1}}},
        {instr(Opcode::CmpF, DType::I1, 3, 0, 1, 0, pred, 0, DType::F32),
         instr(Opcode::Yield, DType::I1, 0, 0, 3)});
    return out;
  };
  EXPECT_EQ(cmp(4), (std::vector<uint8_t>{1, 0, 0}));  // olt
  EXPECT_EQ(cmp(11), (std::vector<uint8_t>{1, 0, 1})); // ult
  EXPECT_EQ(cmp(1), (std::vector<uint8_t>{0, 1, 0}));  // oeq
  EXPECT_EQ(cmp(13), (std::vector<uint8_t>{1, 0, 1})); // une
  EXPECT_EQ(cmp(14), (std::vector<uint8_t>{0, 0, 1})); // uno
  std::vector<int32_t> a = {-1, 1}, b = {1, -1};
  std::vector<uint8_t> slt(2), ult(2);
  run({2}, {}, {{a.data(), DType::I32, 0, {1}}, {b.data(), DType::I32, 0, {1}}},
      {{slt.data(), DType::I1, 0, {1}}, {ult.data(), DType::I1, 0, {1}}},
      {instr(Opcode::CmpI, DType::I1, 4, 0, 1, 0, 2, 0, DType::I32),
       instr(Opcode::CmpI, DType::I1, 5, 0, 1, 0, 6, 0, DType::I32),
       instr(Opcode::Yield, DType::I1, 0, 0, 4), instr(Opcode::Yield, DType::I1, 0, 1, 5)});
  EXPECT_EQ(slt, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(ult, (std::vector<uint8_t>{0, 1}));
}

TEST(Generic, SelectAndCasts) {
  std::vector<float> x = {-2.5f, 3.7f, 1e10f, std::nanf("")};
  std::vector<int8_t> si(4);
  std::vector<float> rnd(4), rne(4), sel(4);
  std::vector<int32_t> ext(4);
  run({4}, {}, {{x.data(), DType::F32, 0, {1}}},
      {{si.data(), DType::I8, 0, {1}}, {rnd.data(), DType::F32, 0, {1}},
       {rne.data(), DType::F32, 0, {1}}, {sel.data(), DType::F32, 0, {1}},
       {ext.data(), DType::I32, 0, {1}}},
      {instr(Opcode::FPToSI, DType::I8, 10, 0, 0, 0, 0, 0, DType::F32),
       instr(Opcode::Round, DType::F32, 11, 0),
       instr(Opcode::RoundEven, DType::F32, 12, 0),
       instr(Opcode::ConstF, DType::F32, 13, 0, 0, 0, 0, 0.0),
       instr(Opcode::CmpF, DType::I1, 14, 0, 13, 0, 2, 0, DType::F32), // ogt
       instr(Opcode::Select, DType::F32, 15, 14, 0, 13),
       instr(Opcode::ExtUI, DType::I32, 16, 10, 0, 0, 0, 0, DType::I8),
       instr(Opcode::Yield, DType::I8, 0, 0, 10), instr(Opcode::Yield, DType::F32, 0, 1, 11),
       instr(Opcode::Yield, DType::F32, 0, 2, 12), instr(Opcode::Yield, DType::F32, 0, 3, 15),
       instr(Opcode::Yield, DType::I32, 0, 4, 16)});
  EXPECT_EQ(si, (std::vector<int8_t>{-2, 3, 127, 0}));
  EXPECT_EQ(rnd[0], -3.0f);
  EXPECT_EQ(rne[0], -2.0f);
  EXPECT_EQ(rnd[1], 4.0f);
  EXPECT_EQ(sel[0], 0.0f);
  EXPECT_EQ(sel[1], 3.7f);
  EXPECT_EQ(ext[0], 254); // i8 -2 zero-extended
}

TEST(Generic, MathFunctions) {
  std::vector<float> x = {0.5f, 1.0f, 2.0f};
  struct Case { Opcode op; float (*ref)(float); };
  Case cases[] = {{Opcode::Exp, expf}, {Opcode::Log, logf}, {Opcode::Tanh, tanhf},
                  {Opcode::Sqrt, sqrtf}, {Opcode::Erf, erff}, {Opcode::Sin, sinf},
                  {Opcode::Atan, atanf}, {Opcode::Log1p, log1pf}, {Opcode::Floor, floorf}};
  for (const Case &c : cases) {
    std::vector<float> out(3);
    run({3}, {}, {{x.data(), DType::F32, 0, {1}}}, {{out.data(), DType::F32, 0, {1}}},
        {instr(c.op, DType::F32, 2, 0), instr(Opcode::Yield, DType::F32, 0, 0, 2)});
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(out[i], c.ref(x[i]), 1e-6) << plan::EnumNameOpcode(c.op);
  }
  auto p = binary<float>(Opcode::PowF, DType::F32, {2, 9}, {3, 0.5});
  EXPECT_FLOAT_EQ(p[0], 8);
  EXPECT_FLOAT_EQ(p[1], 3);
  auto ip = binary<int32_t>(Opcode::IPowI, DType::I32, {3, 2}, {4, -1});
  EXPECT_EQ(ip[0], 81);
  EXPECT_EQ(ip[1], 0);
}

TEST(Generic, IndexAndExtract) {
  // out[i] = table[idx[i]] + i
  std::vector<float> table = {10, 20, 30, 40};
  std::vector<int64_t> idx = {3, 0, 2};
  std::vector<float> out(3);
  CapturedTensor ct{table.data(), DType::F32, {4}};
  run({3}, {}, {{idx.data(), DType::I64, 0, {1}}}, {{out.data(), DType::F32, 0, {1}}},
      {instr(Opcode::Extract, DType::F32, 2, 0, 0, 1),
       instr(Opcode::Index, DType::I64, 3, 0),
       instr(Opcode::SIToFP, DType::F32, 4, 3, 0, 0, 0, 0, DType::I64),
       instr(Opcode::AddF, DType::F32, 5, 2, 4), instr(Opcode::Yield, DType::F32, 0, 0, 5)},
      1, {ct});
  EXPECT_EQ(out, (std::vector<float>{40, 11, 32}));

  // An out-of-range gather index is an error, not a crash.
  std::vector<int64_t> bad = {4};
  GenericArgs a;
  a.bounds = {1};
  int64_t s1[] = {1};
  a.inputs.push_back({bad.data(), DType::I64, 0, s1});
  a.outputs.push_back({out.data(), DType::F32, 0, s1});
  a.captured = {ct};
  std::vector<plan::Instr> prog = {instr(Opcode::Extract, DType::F32, 2, 0, 0, 1)};
  a.program = prog.data();
  a.programSize = 1;
  a.numRegisters = 3;
  std::string err;
  EXPECT_FALSE(runGeneric(a, err));
  EXPECT_NE(err.find("out of range"), std::string::npos) << err;
}

TEST(Generic, HalfStorageRoundsOnStore) {
  std::vector<uint16_t> x = {floatToHalf(1.0f), floatToHalf(2.5f)}, y(2);
  run({2}, {}, {{x.data(), DType::F16, 0, {1}}}, {{y.data(), DType::F16, 0, {1}}},
      {instr(Opcode::ConstF, DType::F16, 2, 0, 0, 0, 0, 1.0 / 3),
       instr(Opcode::AddF, DType::F16, 3, 0, 2), instr(Opcode::Yield, DType::F16, 0, 0, 3)});
  EXPECT_EQ(y[0], floatToHalf(1.0f + 1.0f / 3));
  EXPECT_NEAR(halfToFloat(y[1]), 2.8333f, 2e-3);
  EXPECT_EQ(halfToFloat(floatToHalf(65520.0f)), INFINITY);
  EXPECT_EQ(halfToFloat(floatToHalf(5.96e-8f)), 5.9604645e-08f);
}

} // namespace

// The loop nest is canonicalised before it runs (unit dimensions dropped,
// contiguous runs merged) and lanes may run over a block of several short
// dimensions; the tests below check values against plain loops over nests
// where each of those applies.

TEST(Generic, UnitAndContiguousDimensionsCollapse) {
  // out[i, j, k] = a[i, j, k] + b[i, k] over the nest [1, 4, 1, 3, 5]: the
  // unit dimensions drop; a and out could merge (j, k) but b (broadcast
  // over j) cannot, so the nest stays three-dimensional.
  const int I = 4, J = 3, K = 5;
  std::vector<float> a(I * J * K), b(I * K), out(I * J * K, -1.0f);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(i) * 0.25f;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = 100.0f + float(i);
  run({1, I, 1, J, K}, {},
      {{a.data(), DType::F32, 0, {0, J * K, 0, K, 1}},
       {b.data(), DType::F32, 0, {0, K, 0, 0, 1}}},
      {{out.data(), DType::F32, 0, {0, J * K, 0, K, 1}}},
      {instr(Opcode::AddF, DType::F32, 3, 0, 1),
       instr(Opcode::Yield, DType::F32, 0, 0, 3)});
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j)
      for (int k = 0; k < K; ++k)
        ASSERT_EQ(out[(i * J + j) * K + k],
                  a[(i * J + j) * K + k] + b[i * K + k]);
}

TEST(Generic, BlockLanesOverShortDimensionsKeepReductionOrder) {
  // The shape of a pooling gradient: [N, OH, KH, OW, KW] = [3, 5, 2, 6, 2]
  // with x upsampled (stride 0 over KH and KW), no dimension long enough for
  // a chunk alone, and a reduction R = 7 in the middle whose order matters:
  // out = out * 0.5 + x * y, sequential in r for every output element.
  const int N = 3, OH = 5, KH = 2, R = 7, OW = 6, KW = 2;
  const int H = OH * KH, W = OW * KW;
  std::vector<float> x(N * OH * OW), y(N * R * H * W), out(N * H * W, 1.0f);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i % 11) - 5.0f;
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = float(i % 13) * 0.125f;
  std::vector<float> ref(out);
  run({N, OH, KH, R, OW, KW}, {0, 0, 0, 1, 0, 0},
      {{x.data(), DType::F32, 0, {OH * OW, OW, 0, 0, 1, 0}},
       {y.data(), DType::F32, 0, {R * H * W, KH * W, W, H * W, KW, 1}}},
      {{out.data(), DType::F32, 0, {H * W, KH * W, W, 0, KW, 1}}},
      {instr(Opcode::ConstF, DType::F32, 3, 0, 0, 0, 0, 0.5),
       instr(Opcode::MulF, DType::F32, 4, 2, 3),
       instr(Opcode::MulF, DType::F32, 5, 0, 1),
       instr(Opcode::AddF, DType::F32, 6, 4, 5),
       instr(Opcode::Yield, DType::F32, 0, 0, 6)});
  for (int n = 0; n < N; ++n)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        float &acc = ref[(n * H + h) * W + w];
        for (int r = 0; r < R; ++r)
          acc = acc * 0.5f + x[(n * OH + h / KH) * OW + w / KW] *
                                 y[((n * R + r) * H + h) * W + w];
      }
  EXPECT_EQ(out, ref);
}

/// The fused max-pool x ReLU gradient as the CNN training step runs it: the
/// nest [N, C, OH, KH, OW, KW] in the output's NCHW order, the pool's input x
/// read in NHWC, its output m and the output gradient g (NHWC, [N, OH, OW,
/// C]) broadcast over each window, and the ReLU's input r in NCHW:
/// out = (x == m) * g * (r >= 0). Lanes run over a block of dimensions; at
/// these sizes the block is one chunk, several chunks of a per-box offset
/// table, and too large for a table.
void poolGradientCase(int N, int C, int OH, int OW, int K, int threads) {
  const int H = OH * K, W = OW * K;
  std::vector<float> x(N * H * W * C), m(N * OH * OW * C), g(m.size()),
      r(N * C * H * W), out(r.size(), -1.0f);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i * 7 % 5); // many ties within a window
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int c = 0; c < C; ++c) {
          float best = -1;
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
              best = std::max(
                  best, x[((n * H + oy * K + ky) * W + ox * K + kx) * C + c]);
          size_t i = ((n * OH + oy) * OW + ox) * C + c;
          m[i] = best;
          g[i] = 0.25f * float(i % 9) - 1.0f;
        }
  for (size_t i = 0; i < r.size(); ++i)
    r[i] = float(i % 3) - 1.0f;
  run({N, C, OH, K, OW, K}, {},
      {{x.data(), DType::F32, 0, {H * W * C, 1, K * W * C, W * C, K * C, C}},
       {m.data(), DType::F32, 0, {OH * OW * C, 1, OW * C, 0, C, 0}},
       {g.data(), DType::F32, 0, {OH * OW * C, 1, OW * C, 0, C, 0}},
       {r.data(), DType::F32, 0, {C * H * W, H * W, K * W, W, K, 1}}},
      {{out.data(), DType::F32, 0, {C * H * W, H * W, K * W, W, K, 1}}},
      {instr(Opcode::CmpF, DType::I1, 5, 0, 1, 0, 1, 0, DType::F32), // oeq
       instr(Opcode::UIToFP, DType::F32, 6, 5, 0, 0, 0, 0, DType::I1),
       instr(Opcode::MulF, DType::F32, 7, 6, 2),
       instr(Opcode::ConstF, DType::F32, 8, 0, 0, 0, 0, 0.0),
       instr(Opcode::CmpF, DType::I1, 9, 3, 8, 0, 3, 0, DType::F32), // oge
       instr(Opcode::UIToFP, DType::F32, 10, 9, 0, 0, 0, 0, DType::I1),
       instr(Opcode::MulF, DType::F32, 11, 7, 10),
       instr(Opcode::Yield, DType::F32, 0, 0, 11)},
      threads);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w) {
          size_t pooled = ((n * OH + h / K) * OW + w / K) * C + c;
          size_t nchw = ((n * C + c) * H + h) * W + w;
          float ref = x[((n * H + h) * W + w) * C + c] == m[pooled]
                          ? g[pooled] * (r[nchw] >= 0 ? 1.0f : 0.0f)
                          : 0.0f;
          ASSERT_EQ(out[nchw], ref)
              << N << "x" << C << "x" << OH << "x" << OW << " at " << n << ","
              << c << "," << h << "," << w;
        }
}

TEST(Generic, PoolGradientInMixedLayoutsAtEveryBlockSize) {
  poolGradientCase(2, 3, 2, 3, 2, 1);    // 144 lanes: one chunk
  poolGradientCase(2, 16, 16, 16, 2, 1); // 1024 lanes: 4 chunks of a table
  poolGradientCase(3, 16, 16, 16, 2, 2); // the same under a thread split
  poolGradientCase(1, 1, 1, 4096, 2, 1); // 8192 lanes: tiles of one table
  poolGradientCase(1, 64, 4, 64, 2, 1);  // a block of [KH, OW, KW], 256 lanes
  poolGradientCase(2, 5, 3, 4, 3, 1);    // 3 x 3 windows
}

TEST(Generic, BlockLanesInTilesOfOneTable) {
  // out[i, j] += b[j] over [4100, 16] (a conv bias's broadcast): a block of
  // 65600 lanes walked in tiles of 256 rows (the last one partial) that
  // share one offset table; each element is accumulated exactly once.
  const int I = 4100, J = 16;
  std::vector<float> b(J), out(I * J, 1.0f);
  for (int j = 0; j < J; ++j)
    b[j] = 0.5f * float(j) - 3.0f;
  run({I, J}, {}, {{b.data(), DType::F32, 0, {0, 1}}},
      {{out.data(), DType::F32, 0, {J, 1}}},
      {instr(Opcode::AddF, DType::F32, 2, 1, 0),
       instr(Opcode::Yield, DType::F32, 0, 0, 2)});
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j)
      ASSERT_EQ(out[i * J + j], 1.0f + b[j]) << i << "," << j;
}

TEST(Generic, BlockLanesWhoseInnerDimensionsExceedATable) {
  // out[b, a, c] = x[b] over the nest [A, B, C] = [2, 3000, 2]: lanes over
  // the block of all three, whose inner dimensions alone (6000 lanes) are
  // too many for one offset table, so each chunk computes its own offsets.
  const int A = 2, B = 3000, C = 2;
  std::vector<float> x(B), out(A * B * C, -1.0f);
  for (int b = 0; b < B; ++b)
    x[b] = float(b % 17) - 8.0f;
  run({A, B, C}, {}, {{x.data(), DType::F32, 0, {0, 1, 0}}},
      {{out.data(), DType::F32, 0, {C, A * C, 1}}},
      {instr(Opcode::NegF, DType::F32, 2, 0),
       instr(Opcode::Yield, DType::F32, 0, 0, 2)});
  for (int b = 0; b < B; ++b)
    for (int a = 0; a < A; ++a)
      for (int c = 0; c < C; ++c)
        ASSERT_EQ(out[(b * A + a) * C + c], -x[b]) << b << "," << a << "," << c;
}

TEST(Generic, BlockLanesSplitOverThreads) {
  // out[b, c, w] = a[b, c, w] + bias[c]: the bias keeps (c, w) from merging,
  // so lanes run over a block of [C, W] = [16, 12], under a thread split of
  // the outer dimension (work >= 2^17).
  const int B = 160, C = 16, W = 12;
  std::vector<float> a(B * C * W), bias(C), out(B * C * W);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float(i % 1000);
  for (int c = 0; c < C; ++c)
    bias[c] = 0.5f * float(c);
  run({B, C, W}, {},
      {{a.data(), DType::F32, 0, {C * W, W, 1}},
       {bias.data(), DType::F32, 0, {0, 1, 0}}},
      {{out.data(), DType::F32, 0, {C * W, W, 1}}},
      {instr(Opcode::AddF, DType::F32, 3, 0, 1),
       instr(Opcode::Yield, DType::F32, 0, 0, 3)},
      /*threads=*/2);
  for (int b = 0; b < B; ++b)
    for (int c = 0; c < C; ++c)
      for (int w = 0; w < W; ++w)
        ASSERT_EQ(out[(b * C + c) * W + w], a[(b * C + c) * W + w] + bias[c]);
}

TEST(Generic, InvariantInstructionsAndAliasedAccumulators) {
  // An Adam-like bias correction from a broadcast scalar step counter
  // (invariant: computed in a box's first chunk only) scales a varying
  // operand, over 600 lanes (three chunks). A second kernel accumulates into
  // a scalar through an input that is the output's own buffer: that input
  // is broadcast but changes every chunk, so nothing reading it is invariant.
  const int n = 600;
  std::vector<float> step = {3.0f}, g(n), out(n);
  for (int i = 0; i < n; ++i)
    g[i] = float(i) - 300.0f;
  run({n}, {},
      {{g.data(), DType::F32, 0, {1}}, {step.data(), DType::F32, 0, {0}}},
      {{out.data(), DType::F32, 0, {1}}},
      {instr(Opcode::ConstF, DType::F32, 3, 0, 0, 0, 0, -0.1),
       instr(Opcode::MulF, DType::F32, 4, 1, 3),
       instr(Opcode::Expm1, DType::F32, 5, 4),
       instr(Opcode::DivF, DType::F32, 6, 0, 5),
       instr(Opcode::Yield, DType::F32, 0, 0, 6)});
  const float correction = std::expm1(3.0f * -0.1f);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(out[i], g[i] / correction);

  std::vector<float> acc = {2.0f};
  run({n}, {1},
      {{g.data(), DType::F32, 0, {1}}, {acc.data(), DType::F32, 0, {0}}},
      {{acc.data(), DType::F32, 0, {0}}},
      {instr(Opcode::ConstF, DType::F32, 3, 0, 0, 0, 0, 0.5),
       instr(Opcode::MulF, DType::F32, 4, 1, 3),
       instr(Opcode::AddF, DType::F32, 5, 4, 0),
       instr(Opcode::Yield, DType::F32, 0, 0, 5)});
  float ref = 2.0f;
  for (int i = 0; i < n; ++i)
    ref = ref * 0.5f + g[i];
  EXPECT_EQ(acc[0], ref);
}

TEST(Generic, MaximumMinimumAndComparisonsOnSpecialValues) {
  // The branch-free maximum/minimum: NaN propagates and +0 > -0 either way
  // round; each comparison predicate on NaN and on equal operands.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {0.0f, -0.0f, nan, 1.0f, 2.0f, -3.0f};
  std::vector<float> y = {-0.0f, 0.0f, 1.0f, nan, 2.0f, 4.0f};
  auto mx = binary<float>(Opcode::MaxF, DType::F32, x, y);
  auto mn = binary<float>(Opcode::MinF, DType::F32, x, y);
  EXPECT_FALSE(std::signbit(mx[0]));
  EXPECT_FALSE(std::signbit(mx[1]));
  EXPECT_TRUE(std::signbit(mn[0]));
  EXPECT_TRUE(std::signbit(mn[1]));
  EXPECT_TRUE(std::isnan(mx[2]) && std::isnan(mx[3]));
  EXPECT_TRUE(std::isnan(mn[2]) && std::isnan(mn[3]));
  EXPECT_EQ(mx[4], 2.0f);
  EXPECT_EQ(mx[5], 4.0f);
  EXPECT_EQ(mn[5], -3.0f);
  for (int64_t pred = 0; pred <= 15; ++pred) {
    std::vector<int64_t> got(x.size());
    run({int64_t(x.size())}, {},
        {{x.data(), DType::F32, 0, {1}}, {y.data(), DType::F32, 0, {1}}},
        {{got.data(), DType::I64, 0, {1}}},
        {instr(Opcode::CmpF, DType::I1, 3, 0, 1, 0, pred),
         instr(Opcode::ExtUI, DType::I64, 4, 3, 0, 0, 0, 0, DType::I1),
         instr(Opcode::Yield, DType::I64, 0, 0, 4)});
    for (size_t i = 0; i < x.size(); ++i) {
      float a = x[i], b = y[i];
      bool uno = std::isnan(a) || std::isnan(b);
      bool want[16] = {false,
                       !uno && a == b,
                       !uno && a > b,
                       !uno && a >= b,
                       !uno && a < b,
                       !uno && a <= b,
                       !uno && a != b,
                       !uno,
                       uno || a == b,
                       uno || a > b,
                       uno || a >= b,
                       uno || a < b,
                       uno || a <= b,
                       uno || a != b,
                       uno,
                       true};
      EXPECT_EQ(got[i], want[pred] ? 1 : 0)
          << "predicate " << pred << " lane " << i;
    }
  }
}

TEST(Generic, YieldStoresTheValueAtTheYield) {
  // Outputs are stored straight from their register unless a later
  // instruction overwrites it; here r2 is rewritten after out0's yield, so
  // out0 must get the value it had at the yield, and out1 the later one.
  std::vector<float> a = {1, 2, 3, 4, 5}, out0(5), out1(5);
  run({5}, {}, {{a.data(), DType::F32, 0, {1}}},
      {{out0.data(), DType::F32, 0, {1}}, {out1.data(), DType::F32, 0, {1}}},
      {instr(Opcode::ConstF, DType::F32, 3, 0, 0, 0, 0, 2.0),
       instr(Opcode::MulF, DType::F32, 4, 0, 3),
       instr(Opcode::Yield, DType::F32, 0, 0, 4),
       instr(Opcode::AddF, DType::F32, 4, 4, 3),
       instr(Opcode::Yield, DType::F32, 0, 1, 4)});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(out0[i], a[i] * 2);
    EXPECT_EQ(out1[i], a[i] * 2 + 2);
  }
}
