//===- GenericOps.cpp - Semantics of every Generic opcode -----------------===//
//
// Each instruction runs over a whole chunk of lanes in a tight loop the
// compiler can vectorize. Semantics follow MLIR's arith and math dialects;
// where those say "poison" or "undefined" (division by zero, over-wide
// shifts) we return a fixed value rather than trap, because a plan must never
// crash the runtime.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"
#include "ipuc/kernels/Half.h"
#include "ipuc/plan/Plan.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace ipuc::kernels::detail {

using plan::DType;
using plan::Opcode;

namespace {

unsigned bitWidth(DType t) {
  switch (t) {
  case DType::I1: return 1;
  case DType::I8: return 8;
  case DType::I16: case DType::F16: case DType::BF16: return 16;
  case DType::I32: case DType::F32: return 32;
  default: return 64;
  }
}

/// Sign-extends the low bits of v to the width of t (I1 becomes 0 or 1).
inline int64_t norm(int64_t v, DType t) {
  switch (t) {
  case DType::I1: return v & 1;
  case DType::I8: return static_cast<int8_t>(v);
  case DType::I16: return static_cast<int16_t>(v);
  case DType::I32: return static_cast<int32_t>(v);
  default: return v;
  }
}

inline uint64_t mask(DType t) {
  unsigned w = bitWidth(t);
  return w >= 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
}

void normalize(int64_t *d, int n, DType t) {
  switch (t) {
  case DType::I1: for (int i = 0; i < n; ++i) d[i] &= 1; return;
  case DType::I8: for (int i = 0; i < n; ++i) d[i] = int8_t(d[i]); return;
  case DType::I16: for (int i = 0; i < n; ++i) d[i] = int16_t(d[i]); return;
  case DType::I32: for (int i = 0; i < n; ++i) d[i] = int32_t(d[i]); return;
  default: return;
  }
}

/// Rounds float lanes to what the dtype can represent (TruncF).
void roundTo(float *d, int n, DType t) {
  if (t == DType::F16)
    for (int i = 0; i < n; ++i)
      d[i] = halfToFloat(floatToHalf(d[i]));
  else if (t == DType::BF16)
    for (int i = 0; i < n; ++i)
      d[i] = bf16ToFloat(floatToBf16(d[i]));
}

// The lane loops read the lane count once: re-read from the context in the
// loop condition it would be assumed to change with every store, which keeps
// the loops from vectorising.
template <typename F> void f1(const ExecContext &c, const plan::Instr &in, F fn) {
  const int n = c.n;
  float *d = c.f(in.dst());
  const float *a = c.f(in.a());
  for (int i = 0; i < n; ++i)
    d[i] = fn(a[i]);
}
template <typename F> void f2(const ExecContext &c, const plan::Instr &in, F fn) {
  const int n = c.n;
  float *d = c.f(in.dst());
  const float *a = c.f(in.a()), *b = c.f(in.b());
  for (int i = 0; i < n; ++i)
    d[i] = fn(a[i], b[i]);
}
template <typename F> void i1(const ExecContext &c, const plan::Instr &in, F fn) {
  const int n = c.n;
  int64_t *d = c.i(in.dst());
  const int64_t *a = c.i(in.a());
  for (int i = 0; i < n; ++i)
    d[i] = fn(a[i]);
  normalize(d, n, in.dtype());
}
template <typename F> void i2(const ExecContext &c, const plan::Instr &in, F fn) {
  const int n = c.n;
  int64_t *d = c.i(in.dst());
  const int64_t *a = c.i(in.a()), *b = c.i(in.b());
  for (int i = 0; i < n; ++i)
    d[i] = fn(a[i], b[i]);
  normalize(d, n, in.dtype());
}
/// Unsigned integer op: operands zero-extended from the dtype's width.
template <typename F> void u2(const ExecContext &c, const plan::Instr &in, F fn) {
  uint64_t m = mask(in.dtype());
  i2(c, in, [&](int64_t a, int64_t b) {
    return static_cast<int64_t>(fn(uint64_t(a) & m, uint64_t(b) & m));
  });
}

// maximum/minimum as arith defines them (NaN propagates, +0 > -0), written
// without branches so the lane loops vectorise: for equal operands the bit
// patterns' AND (OR) picks +0 (-0) from a pair of zeros and is the value
// itself otherwise.
inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
inline float maximumF(float a, float b) {
  float r = a > b ? a : b;
  r = a == b ? bitsFloat(floatBits(a) & floatBits(b)) : r;
  return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : r;
}
inline float minimumF(float a, float b) {
  float r = a < b ? a : b;
  r = a == b ? bitsFloat(floatBits(a) | floatBits(b)) : r;
  return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : r;
}

/// One comparison over all lanes, the predicate chosen once per chunk.
template <typename F>
void cmpLanes(int64_t *d, const float *a, const float *b, int n, F fn) {
  for (int i = 0; i < n; ++i)
    d[i] = fn(a[i], b[i]) ? 1 : 0;
}

bool cmpF(int64_t pred, float a, float b) {
  bool uno = std::isnan(a) || std::isnan(b);
  switch (pred) {
  case 0: return false;
  case 1: return !uno && a == b;
  case 2: return !uno && a > b;
  case 3: return !uno && a >= b;
  case 4: return !uno && a < b;
  case 5: return !uno && a <= b;
  case 6: return !uno && a != b;
  case 7: return !uno;
  case 8: return uno || a == b;
  case 9: return uno || a > b;
  case 10: return uno || a >= b;
  case 11: return uno || a < b;
  case 12: return uno || a <= b;
  case 13: return uno || a != b;
  case 14: return uno;
  default: return true;
  }
}

bool cmpI(int64_t pred, int64_t a, int64_t b, uint64_t m) {
  uint64_t ua = uint64_t(a) & m, ub = uint64_t(b) & m;
  switch (pred) {
  case 0: return a == b;
  case 1: return a != b;
  case 2: return a < b;
  case 3: return a <= b;
  case 4: return a > b;
  case 5: return a >= b;
  case 6: return ua < ub;
  case 7: return ua <= ub;
  case 8: return ua > ub;
  default: return ua >= ub;
  }
}

/// Float to integer of `t`'s width, clamped; NaN becomes 0.
int64_t fpToSI(float v, DType t) {
  if (std::isnan(v))
    return 0;
  unsigned w = bitWidth(t);
  if (w == 1) // i1 is signed: its values are 0 and -1 (stored as bit 1).
    return v <= -1.0f ? 1 : 0;
  double lo = -std::ldexp(1.0, w - 1), hi = std::ldexp(1.0, w - 1);
  double d = std::trunc(static_cast<double>(v));
  if (d <= lo)
    return w == 64 ? std::numeric_limits<int64_t>::min() : int64_t(lo);
  if (d >= hi)
    return w == 64 ? std::numeric_limits<int64_t>::max() : int64_t(hi) - 1;
  return static_cast<int64_t>(d);
}
int64_t fpToUI(float v, DType t) {
  if (std::isnan(v) || v <= 0)
    return 0;
  unsigned w = bitWidth(t);
  double hi = std::ldexp(1.0, w);
  double d = std::trunc(static_cast<double>(v));
  uint64_t u = d >= hi ? (w == 64 ? ~uint64_t(0) : uint64_t(hi) - 1)
                       : static_cast<uint64_t>(d);
  return norm(static_cast<int64_t>(u), t);
}

int64_t ipow(int64_t base, int64_t exp, DType t) {
  if (exp < 0) {
    if (base == 1)
      return 1;
    if (base == -1)
      return (exp & 1) ? -1 : 1;
    return 0;
  }
  uint64_t r = 1, b = uint64_t(base);
  while (exp) {
    if (exp & 1)
      r *= b;
    b *= b;
    exp >>= 1;
  }
  return norm(int64_t(r), t);
}

} // namespace

bool execInstr(const plan::Instr &in, const ExecContext &c,
               std::string &error) {
  const int n = c.n;
  const DType t = in.dtype();
  const bool isF = plan::isFloatDType(t);
  switch (in.opcode()) {
  case Opcode::ConstF: {
    float *d = c.f(in.dst());
    float v = static_cast<float>(in.fimm());
    for (int i = 0; i < n; ++i)
      d[i] = v;
    return true;
  }
  case Opcode::ConstI: {
    int64_t *d = c.i(in.dst());
    int64_t v = norm(in.iimm(), t);
    for (int i = 0; i < n; ++i)
      d[i] = v;
    return true;
  }
  case Opcode::Index: {
    int64_t *d = c.i(in.dst());
    int64_t base = c.idx[in.a()] + (c.indexOrigin ? c.indexOrigin[in.a()] : 0);
    bool lanes = static_cast<int>(in.a()) == c.chunkDim;
    for (int i = 0; i < n; ++i)
      d[i] = base + (lanes ? i : 0);
    return true;
  }
  case Opcode::Extract: {
    const CapturedTensor &ct = (*c.captured)[in.a()];
    size_t rank = ct.shape.size();
    int64_t offs[kChunk] = {};
    int64_t stride = 1;
    for (size_t k = rank; k-- > 0;) {
      const int64_t *ix = c.i(in.b() + k);
      for (int i = 0; i < n; ++i) {
        if (ix[i] < 0 || ix[i] >= ct.shape[k]) {
          error = fmt::format("index {} out of range [0, {}) in dimension {} "
                              "of a gathered tensor",
                              ix[i], ct.shape[k], k);
          return false;
        }
        offs[i] += ix[i] * stride;
      }
      stride *= ct.shape[k];
    }
    // Gather lane by lane; loadLanes does the dtype conversion.
    uint8_t *d = c.at(in.dst());
    size_t lane = plan::isFloatDType(ct.dtype) ? 4 : 8;
    for (int i = 0; i < n; ++i)
      loadLanes(ct.data, ct.dtype, offs[i], 0, 1, d + i * lane);
    return true;
  }
  case Opcode::Yield:
    return true; // Handled by the driver.

  case Opcode::AddF: f2(c, in, [](float a, float b) { return a + b; }); break;
  case Opcode::SubF: f2(c, in, [](float a, float b) { return a - b; }); break;
  case Opcode::MulF: f2(c, in, [](float a, float b) { return a * b; }); break;
  case Opcode::DivF: f2(c, in, [](float a, float b) { return a / b; }); break;
  case Opcode::RemF: f2(c, in, [](float a, float b) { return std::fmod(a, b); }); break;
  case Opcode::NegF: f1(c, in, [](float a) { return -a; }); break;
  case Opcode::MaxF: f2(c, in, [](float a, float b) { return maximumF(a, b); }); break;
  case Opcode::MinF: f2(c, in, [](float a, float b) { return minimumF(a, b); }); break;
  case Opcode::MaxNumF: f2(c, in, [](float a, float b) { return std::fmax(a, b); }); break;
  case Opcode::MinNumF: f2(c, in, [](float a, float b) { return std::fmin(a, b); }); break;

  case Opcode::AddI: i2(c, in, [](int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }); break;
  case Opcode::SubI: i2(c, in, [](int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }); break;
  case Opcode::MulI: i2(c, in, [](int64_t a, int64_t b) { return int64_t(uint64_t(a) * uint64_t(b)); }); break;
  case Opcode::DivSI:
    i2(c, in, [](int64_t a, int64_t b) {
      if (b == 0) return int64_t(0);
      if (b == -1) return int64_t(0 - uint64_t(a));
      return a / b;
    });
    break;
  case Opcode::RemSI:
    i2(c, in, [](int64_t a, int64_t b) {
      return (b == 0 || b == -1) ? int64_t(0) : a % b;
    });
    break;
  case Opcode::DivUI: u2(c, in, [](uint64_t a, uint64_t b) { return b ? a / b : 0; }); break;
  case Opcode::RemUI: u2(c, in, [](uint64_t a, uint64_t b) { return b ? a % b : 0; }); break;
  case Opcode::CeilDivSI:
    i2(c, in, [](int64_t a, int64_t b) {
      if (b == 0) return int64_t(0);
      if (b == -1) return int64_t(0 - uint64_t(a));
      int64_t q = a / b;
      return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
    });
    break;
  case Opcode::FloorDivSI:
    i2(c, in, [](int64_t a, int64_t b) {
      if (b == 0) return int64_t(0);
      if (b == -1) return int64_t(0 - uint64_t(a));
      int64_t q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    });
    break;
  case Opcode::MaxSI: i2(c, in, [](int64_t a, int64_t b) { return a > b ? a : b; }); break;
  case Opcode::MinSI: i2(c, in, [](int64_t a, int64_t b) { return a < b ? a : b; }); break;
  case Opcode::MaxUI: u2(c, in, [](uint64_t a, uint64_t b) { return a > b ? a : b; }); break;
  case Opcode::MinUI: u2(c, in, [](uint64_t a, uint64_t b) { return a < b ? a : b; }); break;
  case Opcode::AndI: i2(c, in, [](int64_t a, int64_t b) { return a & b; }); break;
  case Opcode::OrI: i2(c, in, [](int64_t a, int64_t b) { return a | b; }); break;
  case Opcode::XorI: i2(c, in, [](int64_t a, int64_t b) { return a ^ b; }); break;
  case Opcode::ShLI: {
    uint64_t w = bitWidth(t), m = mask(t);
    i2(c, in, [=](int64_t a, int64_t b) {
      uint64_t s = uint64_t(b) & m;
      return s >= w ? int64_t(0) : int64_t(uint64_t(a) << s);
    });
    break;
  }
  case Opcode::ShRSI: {
    uint64_t w = bitWidth(t), m = mask(t);
    i2(c, in, [=](int64_t a, int64_t b) {
      uint64_t s = uint64_t(b) & m;
      return s >= w ? (a < 0 ? int64_t(-1) : int64_t(0)) : (a >> s);
    });
    break;
  }
  case Opcode::ShRUI: {
    uint64_t w = bitWidth(t), m = mask(t);
    i2(c, in, [=](int64_t a, int64_t b) {
      uint64_t s = uint64_t(b) & m;
      return s >= w ? int64_t(0) : int64_t((uint64_t(a) & m) >> s);
    });
    break;
  }

  case Opcode::CmpF: {
    int64_t *d = c.i(in.dst());
    const float *a = c.f(in.a()), *b = c.f(in.b());
    // C++'s ordered comparisons are false on NaN, as arith's o* predicates;
    // the u* ones are the negated opposite ordered comparison.
    switch (in.iimm()) {
    case 1:
      cmpLanes(d, a, b, n, [](float x, float y) { return x == y; });
      break;
    case 2:
      cmpLanes(d, a, b, n, [](float x, float y) { return x > y; });
      break;
    case 3:
      cmpLanes(d, a, b, n, [](float x, float y) { return x >= y; });
      break;
    case 4:
      cmpLanes(d, a, b, n, [](float x, float y) { return x < y; });
      break;
    case 5:
      cmpLanes(d, a, b, n, [](float x, float y) { return x <= y; });
      break;
    case 9:
      cmpLanes(d, a, b, n, [](float x, float y) { return !(x <= y); });
      break;
    case 10:
      cmpLanes(d, a, b, n, [](float x, float y) { return !(x < y); });
      break;
    case 11:
      cmpLanes(d, a, b, n, [](float x, float y) { return !(x >= y); });
      break;
    case 12:
      cmpLanes(d, a, b, n, [](float x, float y) { return !(x > y); });
      break;
    case 13:
      cmpLanes(d, a, b, n, [](float x, float y) { return !(x == y); });
      break;
    default: {
      int64_t p = in.iimm();
      for (int i = 0; i < n; ++i)
        d[i] = cmpF(p, a[i], b[i]);
    }
    }
    return true;
  }
  case Opcode::CmpI: {
    int64_t *d = c.i(in.dst());
    const int64_t *a = c.i(in.a()), *b = c.i(in.b());
    int64_t p = in.iimm();
    uint64_t m = mask(in.src_dtype());
    // Signed predicates see i1's set bit as -1.
    int64_t sgn = in.src_dtype() == DType::I1 ? -1 : 1;
    for (int i = 0; i < n; ++i)
      d[i] = cmpI(p, sgn * a[i], sgn * b[i], m);
    return true;
  }
  case Opcode::Select: {
    const int64_t *cond = c.i(in.a());
    if (isF) {
      float *d = c.f(in.dst());
      const float *a = c.f(in.b()), *b = c.f(in.c());
      for (int i = 0; i < n; ++i)
        d[i] = cond[i] ? a[i] : b[i];
    } else {
      int64_t *d = c.i(in.dst());
      const int64_t *a = c.i(in.b()), *b = c.i(in.c());
      for (int i = 0; i < n; ++i)
        d[i] = cond[i] ? a[i] : b[i];
    }
    return true;
  }

  case Opcode::SIToFP: {
    float *d = c.f(in.dst());
    const int64_t *a = c.i(in.a());
    DType s = in.src_dtype();
    for (int i = 0; i < n; ++i) // i1 is signed: bit 1 means -1.
      d[i] = static_cast<float>(s == DType::I1 ? -a[i] : a[i]);
    roundTo(d, n, t);
    return true;
  }
  case Opcode::UIToFP: {
    float *d = c.f(in.dst());
    const int64_t *a = c.i(in.a());
    uint64_t m = mask(in.src_dtype());
    if (m <= uint64_t(std::numeric_limits<int32_t>::max()))
      // Narrow sources (i1 masks, i8, i16) convert through int32, which
      // vectorises; the value is the same.
      for (int i = 0; i < n; ++i)
        d[i] = static_cast<float>(int32_t(uint64_t(a[i]) & m));
    else
      for (int i = 0; i < n; ++i)
        d[i] = static_cast<float>(uint64_t(a[i]) & m);
    roundTo(d, n, t);
    return true;
  }
  case Opcode::FPToSI: {
    int64_t *d = c.i(in.dst());
    const float *a = c.f(in.a());
    for (int i = 0; i < n; ++i)
      d[i] = fpToSI(a[i], t);
    return true;
  }
  case Opcode::FPToUI: {
    int64_t *d = c.i(in.dst());
    const float *a = c.f(in.a());
    for (int i = 0; i < n; ++i)
      d[i] = fpToUI(a[i], t);
    return true;
  }
  case Opcode::ExtF:
  case Opcode::TruncF: {
    float *d = c.f(in.dst());
    const float *a = c.f(in.a());
    for (int i = 0; i < n; ++i)
      d[i] = a[i];
    roundTo(d, n, t);
    return true;
  }
  case Opcode::ExtSI: {
    // The source is already sign-extended, except i1 whose set bit is -1.
    DType s = in.src_dtype();
    i1(c, in, [=](int64_t a) { return s == DType::I1 ? -a : a; });
    break;
  }
  case Opcode::ExtUI: {
    uint64_t m = mask(in.src_dtype());
    i1(c, in, [=](int64_t a) { return int64_t(uint64_t(a) & m); });
    break;
  }
  case Opcode::TruncI: i1(c, in, [](int64_t a) { return a; }); break;
  case Opcode::Bitcast: {
    DType s = in.src_dtype();
    bool srcF = plan::isFloatDType(s);
    if (srcF == isF) { // Same representation class: only the width matters.
      // n lanes only: a register may be a tensor's storage (ExecContext::reg).
      uint8_t *d = c.at(in.dst());
      const uint8_t *a = c.at(in.a());
      if (d != a)
        std::memmove(d, a, size_t(n) * (isF ? sizeof(float) : 8));
      return true;
    }
    if (srcF) { // float -> int of the same width
      const float *a = c.f(in.a());
      int64_t tmp[kChunk];
      for (int i = 0; i < n; ++i) {
        if (s == DType::F16)
          tmp[i] = int16_t(floatToHalf(a[i]));
        else if (s == DType::BF16)
          tmp[i] = int16_t(floatToBf16(a[i]));
        else if (s == DType::F64) {
          double v = a[i];
          std::memcpy(&tmp[i], &v, 8);
        } else
          tmp[i] = int32_t(floatBits(a[i]));
      }
      int64_t *d = c.i(in.dst());
      for (int i = 0; i < n; ++i)
        d[i] = norm(tmp[i], t);
    } else {
      const int64_t *a = c.i(in.a());
      float tmp[kChunk];
      for (int i = 0; i < n; ++i) {
        if (t == DType::F16)
          tmp[i] = halfToFloat(uint16_t(a[i]));
        else if (t == DType::BF16)
          tmp[i] = bf16ToFloat(uint16_t(a[i]));
        else if (t == DType::F64) {
          double v;
          std::memcpy(&v, &a[i], 8);
          tmp[i] = float(v);
        } else
          tmp[i] = bitsFloat(uint32_t(a[i]));
      }
      std::memcpy(c.f(in.dst()), tmp, n * sizeof(float));
    }
    return true;
  }

  case Opcode::Exp: f1(c, in, [](float a) { return std::exp(a); }); break;
  case Opcode::Exp2: f1(c, in, [](float a) { return std::exp2(a); }); break;
  case Opcode::Expm1: f1(c, in, [](float a) { return std::expm1(a); }); break;
  case Opcode::Log: f1(c, in, [](float a) { return std::log(a); }); break;
  case Opcode::Log2: f1(c, in, [](float a) { return std::log2(a); }); break;
  case Opcode::Log1p: f1(c, in, [](float a) { return std::log1p(a); }); break;
  case Opcode::Tanh: f1(c, in, [](float a) { return std::tanh(a); }); break;
  case Opcode::Sqrt: f1(c, in, [](float a) { return std::sqrt(a); }); break;
  case Opcode::Rsqrt: f1(c, in, [](float a) { return 1.0f / std::sqrt(a); }); break;
  case Opcode::AbsF: f1(c, in, [](float a) { return std::fabs(a); }); break;
  case Opcode::AbsI: i1(c, in, [](int64_t a) { return a < 0 ? int64_t(0 - uint64_t(a)) : a; }); break;
  case Opcode::Erf: f1(c, in, [](float a) { return std::erf(a); }); break;
  case Opcode::PowF: f2(c, in, [](float a, float b) { return std::pow(a, b); }); break;
  case Opcode::FPowI: {
    float *d = c.f(in.dst());
    const float *a = c.f(in.a());
    const int64_t *b = c.i(in.b());
    for (int i = 0; i < n; ++i)
      d[i] = static_cast<float>(std::pow(double(a[i]), double(b[i])));
    break;
  }
  case Opcode::IPowI: i2(c, in, [=](int64_t a, int64_t b) { return ipow(a, b, t); }); break;
  case Opcode::Floor: f1(c, in, [](float a) { return std::floor(a); }); break;
  case Opcode::Ceil: f1(c, in, [](float a) { return std::ceil(a); }); break;
  case Opcode::Round: f1(c, in, [](float a) { return std::round(a); }); break;
  case Opcode::RoundEven: f1(c, in, [](float a) { return std::nearbyint(a); }); break;
  case Opcode::Trunc: f1(c, in, [](float a) { return std::trunc(a); }); break;
  case Opcode::Sin: f1(c, in, [](float a) { return std::sin(a); }); break;
  case Opcode::Cos: f1(c, in, [](float a) { return std::cos(a); }); break;
  case Opcode::Tan: f1(c, in, [](float a) { return std::tan(a); }); break;
  case Opcode::Atan: f1(c, in, [](float a) { return std::atan(a); }); break;
  case Opcode::Atan2: f2(c, in, [](float a, float b) { return std::atan2(a, b); }); break;
  case Opcode::Asin: f1(c, in, [](float a) { return std::asin(a); }); break;
  case Opcode::Acos: f1(c, in, [](float a) { return std::acos(a); }); break;
  case Opcode::Sinh: f1(c, in, [](float a) { return std::sinh(a); }); break;
  case Opcode::Cosh: f1(c, in, [](float a) { return std::cosh(a); }); break;
  case Opcode::Asinh: f1(c, in, [](float a) { return std::asinh(a); }); break;
  case Opcode::Acosh: f1(c, in, [](float a) { return std::acosh(a); }); break;
  case Opcode::Atanh: f1(c, in, [](float a) { return std::atanh(a); }); break;
  case Opcode::CopySign: f2(c, in, [](float a, float b) { return std::copysign(a, b); }); break;
  case Opcode::Fma: {
    float *d = c.f(in.dst());
    const float *a = c.f(in.a()), *b = c.f(in.b()), *e = c.f(in.c());
    for (int i = 0; i < n; ++i)
      d[i] = std::fma(a[i], b[i], e[i]);
    break;
  }
  case Opcode::IsNaN: {
    int64_t *d = c.i(in.dst());
    const float *a = c.f(in.a());
    for (int i = 0; i < n; ++i)
      d[i] = std::isnan(a[i]);
    return true;
  }
  case Opcode::IsInf: {
    int64_t *d = c.i(in.dst());
    const float *a = c.f(in.a());
    for (int i = 0; i < n; ++i)
      d[i] = std::isinf(a[i]);
    return true;
  }
  case Opcode::CountLeadingZeros: {
    unsigned w = bitWidth(t);
    uint64_t m = mask(t);
    i1(c, in, [=](int64_t a) {
      uint64_t u = uint64_t(a) & m;
      return u == 0 ? int64_t(w) : int64_t(__builtin_clzll(u) - (64 - w));
    });
    break;
  }
  case Opcode::Sign:
    if (isF)
      f1(c, in, [](float a) {
        return std::isnan(a) ? a : float((a > 0) - (a < 0));
      });
    else
      i1(c, in, [](int64_t a) { return int64_t((a > 0) - (a < 0)); });
    break;
  default:
    error = fmt::format("unknown opcode {}", static_cast<int>(in.opcode()));
    return false;
  }
  // Float results of narrow types are rounded only on store, as registers are
  // float; integer results were normalized by the helpers above.
  return true;
}

} // namespace ipuc::kernels::detail
