//===- GenericLoadStore.cpp - Gather/scatter between tensors and lanes ----===//

#include "GenericInternal.h"
#include "ipuc/kernels/Half.h"

namespace ipuc::kernels::detail {

using plan::DType;

namespace {
template <typename S, typename R>
void gather(const void *base, int64_t off, int64_t stride, int n, R *dst) {
  const S *src = static_cast<const S *>(base) + off;
  if (stride == 1)
    for (int i = 0; i < n; ++i)
      dst[i] = static_cast<R>(src[i]);
  else
    for (int i = 0; i < n; ++i)
      dst[i] = static_cast<R>(src[i * stride]);
}
template <typename S, typename R>
void scatter(void *base, int64_t off, int64_t stride, int n, const R *src) {
  S *dst = static_cast<S *>(base) + off;
  if (stride == 1)
    for (int i = 0; i < n; ++i)
      dst[i] = static_cast<S>(src[i]);
  else
    for (int i = 0; i < n; ++i)
      dst[i * stride] = static_cast<S>(src[i]);
}
} // namespace

void loadLanes(const void *base, DType dtype, int64_t off, int64_t stride,
               int n, uint8_t *reg) {
  float *f = reinterpret_cast<float *>(reg);
  int64_t *v = reinterpret_cast<int64_t *>(reg);
  switch (dtype) {
  case DType::F32: return gather<float>(base, off, stride, n, f);
  case DType::F64: return gather<double>(base, off, stride, n, f);
  case DType::F16: {
    const uint16_t *src = static_cast<const uint16_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      f[i] = halfToFloat(src[i * stride]);
    return;
  }
  case DType::BF16: {
    const uint16_t *src = static_cast<const uint16_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      f[i] = bf16ToFloat(src[i * stride]);
    return;
  }
  case DType::I1: {
    const uint8_t *src = static_cast<const uint8_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      v[i] = src[i * stride] != 0;
    return;
  }
  case DType::I8: return gather<int8_t>(base, off, stride, n, v);
  case DType::I16: return gather<int16_t>(base, off, stride, n, v);
  case DType::I32: return gather<int32_t>(base, off, stride, n, v);
  case DType::I64: return gather<int64_t>(base, off, stride, n, v);
  }
}

void storeLanes(void *base, DType dtype, int64_t off, int64_t stride, int n,
                const uint8_t *reg) {
  const float *f = reinterpret_cast<const float *>(reg);
  const int64_t *v = reinterpret_cast<const int64_t *>(reg);
  switch (dtype) {
  case DType::F32: return scatter<float>(base, off, stride, n, f);
  case DType::F64: return scatter<double>(base, off, stride, n, f);
  case DType::F16: {
    uint16_t *dst = static_cast<uint16_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      dst[i * stride] = floatToHalf(f[i]);
    return;
  }
  case DType::BF16: {
    uint16_t *dst = static_cast<uint16_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      dst[i * stride] = floatToBf16(f[i]);
    return;
  }
  case DType::I1: {
    uint8_t *dst = static_cast<uint8_t *>(base) + off;
    for (int i = 0; i < n; ++i)
      dst[i * stride] = static_cast<uint8_t>(v[i] & 1);
    return;
  }
  case DType::I8: return scatter<int8_t>(base, off, stride, n, v);
  case DType::I16: return scatter<int16_t>(base, off, stride, n, v);
  case DType::I32: return scatter<int32_t>(base, off, stride, n, v);
  case DType::I64: return scatter<int64_t>(base, off, stride, n, v);
  }
}

} // namespace ipuc::kernels::detail
