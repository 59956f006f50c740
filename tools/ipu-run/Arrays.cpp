//===- Arrays.cpp - Plan tensors <-> NumPy arrays, random data, summaries -===//

#include "Arrays.h"

#include "ipuc/kernels/Half.h"

#include <fmt/format.h>

#include <cstring>

namespace ipurun {

using ipuc::plan::DType;

const char *npyDescrFor(DType dtype) {
  switch (dtype) {
  case DType::F32: return "<f4";
  case DType::F16: return "<f2";
  case DType::BF16: return "<f4";
  case DType::F64: return "<f8";
  case DType::I1: return "|b1";
  case DType::I8: return "|i1";
  case DType::I16: return "<i2";
  case DType::I32: return "<i4";
  case DType::I64: return "<i8";
  }
  return "";
}

bool dtypeForNpy(const std::string &descr, DType &dtype) {
  static const std::pair<const char *, DType> kMap[] = {
      {"<f4", DType::F32}, {"<f2", DType::F16}, {"<f8", DType::F64},
      {"|b1", DType::I1},  {"|i1", DType::I8},  {"<i2", DType::I16},
      {"<i4", DType::I32}, {"<i8", DType::I64}};
  for (const auto &[d, t] : kMap)
    if (descr == d) {
      dtype = t;
      return true;
    }
  return false;
}

bool npyToBinding(const ipuc::support::NpyArray &arr,
                  const ipuc::host::BindingInfo &binding,
                  std::vector<uint8_t> &bytes, DType &dtype) {
  if (binding.dtype == DType::BF16 && arr.descr == "<f4") {
    dtype = DType::BF16;
    bytes.resize(arr.data.size() / 2);
    for (size_t i = 0; i < arr.data.size() / 4; ++i) {
      float f;
      std::memcpy(&f, &arr.data[i * 4], 4);
      uint16_t b = ipuc::kernels::floatToBf16(f);
      std::memcpy(&bytes[i * 2], &b, 2);
    }
    return true;
  }
  bytes = arr.data;
  return dtypeForNpy(arr.descr, dtype);
}

std::vector<uint8_t> randomData(const ipuc::host::BindingInfo &b,
                                std::mt19937_64 &rng) {
  int64_t n = b.numElements();
  std::vector<uint8_t> out(b.byteSize());
  std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ui(0, 9), ub(0, 1);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t *p = out.data() + i * ipuc::plan::dtypeSize(b.dtype);
    switch (b.dtype) {
    case DType::F32: { float v = uf(rng); std::memcpy(p, &v, 4); break; }
    case DType::F64: { double v = uf(rng); std::memcpy(p, &v, 8); break; }
    case DType::F16: { uint16_t v = ipuc::kernels::floatToHalf(uf(rng)); std::memcpy(p, &v, 2); break; }
    case DType::BF16: { uint16_t v = ipuc::kernels::floatToBf16(uf(rng)); std::memcpy(p, &v, 2); break; }
    case DType::I1: *p = static_cast<uint8_t>(ub(rng)); break;
    case DType::I8: *p = static_cast<uint8_t>(ui(rng)); break;
    case DType::I16: { int16_t v = ui(rng); std::memcpy(p, &v, 2); break; }
    case DType::I32: { int32_t v = ui(rng); std::memcpy(p, &v, 4); break; }
    case DType::I64: { int64_t v = ui(rng); std::memcpy(p, &v, 8); break; }
    }
  }
  return out;
}

ipuc::support::NpyArray toNpy(const ipuc::host::BindingInfo &b,
                              const void *data) {
  ipuc::support::NpyArray arr;
  arr.descr = npyDescrFor(b.dtype);
  arr.shape = b.shape;
  const uint8_t *p = static_cast<const uint8_t *>(data);
  if (b.dtype == DType::BF16) {
    arr.data.resize(b.numElements() * 4);
    for (int64_t i = 0; i < b.numElements(); ++i) {
      uint16_t v;
      std::memcpy(&v, p + i * 2, 2);
      float f = ipuc::kernels::bf16ToFloat(v);
      std::memcpy(&arr.data[i * 4], &f, 4);
    }
  } else {
    arr.data.assign(p, p + b.byteSize());
  }
  return arr;
}

std::string summarize(const ipuc::host::BindingInfo &b, const void *data,
                      int maxValues) {
  std::string vals;
  int64_t n = b.numElements();
  const uint8_t *p = static_cast<const uint8_t *>(data);
  for (int64_t i = 0; i < n && i < maxValues; ++i) {
    const uint8_t *e = p + i * ipuc::plan::dtypeSize(b.dtype);
    std::string v;
    switch (b.dtype) {
    case DType::F32: { float f; std::memcpy(&f, e, 4); v = fmt::format("{:.6g}", f); break; }
    case DType::F64: { double f; std::memcpy(&f, e, 8); v = fmt::format("{:.6g}", f); break; }
    case DType::F16: { uint16_t h; std::memcpy(&h, e, 2); v = fmt::format("{:.5g}", ipuc::kernels::halfToFloat(h)); break; }
    case DType::BF16: { uint16_t h; std::memcpy(&h, e, 2); v = fmt::format("{:.4g}", ipuc::kernels::bf16ToFloat(h)); break; }
    case DType::I1: v = *e ? "true" : "false"; break;
    case DType::I8: v = fmt::format("{}", int8_t(*e)); break;
    case DType::I16: { int16_t x; std::memcpy(&x, e, 2); v = fmt::format("{}", x); break; }
    case DType::I32: { int32_t x; std::memcpy(&x, e, 4); v = fmt::format("{}", x); break; }
    case DType::I64: { int64_t x; std::memcpy(&x, e, 8); v = fmt::format("{}", x); break; }
    }
    vals += (i ? ", " : "") + v;
  }
  if (n > maxValues)
    vals += ", ...";
  return fmt::format("{} = [{}]", b.describe(), vals);
}

} // namespace ipurun
