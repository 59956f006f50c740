//===- GenericLoadStore.cpp - Gather/scatter between tensors and lanes ----===//
//
// One dtype switch each way, over an addressing functor: lane i lives at
// element at(i) of the tensor. Strided lanes (one loop dimension) use
// off + i * stride, with a stride-1 form the compiler vectorises; lanes over
// a block of dimensions use a table of offsets.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"
#include "ipuc/kernels/Half.h"

namespace ipuc::kernels::detail {

using plan::DType;

namespace {
template <typename S, typename R, typename At>
void gather(const void *base, int n, R *dst, At at) {
  const S *src = static_cast<const S *>(base);
  for (int i = 0; i < n; ++i)
    dst[i] = static_cast<R>(src[at(i)]);
}
template <typename S, typename R, typename At>
void scatter(void *base, int n, const R *src, At at) {
  S *dst = static_cast<S *>(base);
  for (int i = 0; i < n; ++i)
    dst[at(i)] = static_cast<S>(src[i]);
}

template <typename At>
void load(const void *base, DType dtype, int n, uint8_t *reg, At at) {
  float *f = reinterpret_cast<float *>(reg);
  int64_t *v = reinterpret_cast<int64_t *>(reg);
  switch (dtype) {
  case DType::F32:
    return gather<float>(base, n, f, at);
  case DType::F64:
    return gather<double>(base, n, f, at);
  case DType::F16: {
    const uint16_t *src = static_cast<const uint16_t *>(base);
    for (int i = 0; i < n; ++i)
      f[i] = halfToFloat(src[at(i)]);
    return;
  }
  case DType::BF16: {
    const uint16_t *src = static_cast<const uint16_t *>(base);
    for (int i = 0; i < n; ++i)
      f[i] = bf16ToFloat(src[at(i)]);
    return;
  }
  case DType::I1: {
    const uint8_t *src = static_cast<const uint8_t *>(base);
    for (int i = 0; i < n; ++i)
      v[i] = src[at(i)] != 0;
    return;
  }
  case DType::I8:
    return gather<int8_t>(base, n, v, at);
  case DType::I16:
    return gather<int16_t>(base, n, v, at);
  case DType::I32:
    return gather<int32_t>(base, n, v, at);
  case DType::I64:
    return gather<int64_t>(base, n, v, at);
  }
}

template <typename At>
void store(void *base, DType dtype, int n, const uint8_t *reg, At at) {
  const float *f = reinterpret_cast<const float *>(reg);
  const int64_t *v = reinterpret_cast<const int64_t *>(reg);
  switch (dtype) {
  case DType::F32:
    return scatter<float>(base, n, f, at);
  case DType::F64:
    return scatter<double>(base, n, f, at);
  case DType::F16: {
    uint16_t *dst = static_cast<uint16_t *>(base);
    for (int i = 0; i < n; ++i)
      dst[at(i)] = floatToHalf(f[i]);
    return;
  }
  case DType::BF16: {
    uint16_t *dst = static_cast<uint16_t *>(base);
    for (int i = 0; i < n; ++i)
      dst[at(i)] = floatToBf16(f[i]);
    return;
  }
  case DType::I1: {
    uint8_t *dst = static_cast<uint8_t *>(base);
    for (int i = 0; i < n; ++i)
      dst[at(i)] = static_cast<uint8_t>(v[i] & 1);
    return;
  }
  case DType::I8:
    return scatter<int8_t>(base, n, v, at);
  case DType::I16:
    return scatter<int16_t>(base, n, v, at);
  case DType::I32:
    return scatter<int32_t>(base, n, v, at);
  case DType::I64:
    return scatter<int64_t>(base, n, v, at);
  }
}
} // namespace

void loadLanes(const void *base, DType dtype, int64_t off, int64_t stride,
               int n, uint8_t *reg) {
  if (stride == 1)
    return load(base, dtype, n, reg, [off](int i) { return off + i; });
  load(base, dtype, n, reg,
       [off, stride](int i) { return off + int64_t(i) * stride; });
}

void storeLanes(void *base, DType dtype, int64_t off, int64_t stride, int n,
                const uint8_t *reg) {
  if (stride == 1)
    return store(base, dtype, n, reg, [off](int i) { return off + i; });
  store(base, dtype, n, reg,
        [off, stride](int i) { return off + int64_t(i) * stride; });
}

void loadLanesAt(const void *base, DType dtype, int64_t off,
                 const int64_t *offsets, int n, uint8_t *reg) {
  load(base, dtype, n, reg, [off, offsets](int i) { return off + offsets[i]; });
}

void storeLanesAt(void *base, DType dtype, int64_t off, const int64_t *offsets,
                  int n, const uint8_t *reg) {
  store(base, dtype, n, reg,
        [off, offsets](int i) { return off + offsets[i]; });
}

} // namespace ipuc::kernels::detail
