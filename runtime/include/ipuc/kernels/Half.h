//===- Half.h - IEEE half and bfloat16 conversions --------------*- C++ -*-===//
//
// F16 and BF16 tensors are widened to float for computation and rounded to
// nearest-even when stored. Bit manipulation (after F. Giesen's public-domain
// routines) keeps results identical on every host, with or without F16C.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_HALF_H
#define IPUC_KERNELS_HALF_H

#include <cstdint>
#include <cstring>

namespace ipuc::kernels {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float halfToFloat(uint16_t h) {
  const float magic = bitsFloat((254u - 15u) << 23);
  const float wasInfNan = bitsFloat((127u + 16u) << 23);
  float f = bitsFloat(static_cast<uint32_t>(h & 0x7fff) << 13) * magic;
  uint32_t o = floatBits(f);
  if (f >= wasInfNan)
    o |= 255u << 23;
  o |= static_cast<uint32_t>(h & 0x8000) << 16;
  return bitsFloat(o);
}

inline uint16_t floatToHalf(float f) {
  const uint32_t infBits = 255u << 23, halfMax = (127u + 16u) << 23;
  const uint32_t denormMagic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
  uint32_t u = floatBits(f);
  uint32_t sign = u & 0x80000000u;
  u ^= sign;
  uint16_t o;
  if (u >= halfMax) {
    o = u > infBits ? 0x7e00 : 0x7c00;
  } else if (u < (113u << 23)) {
    // Subnormal result: let the FPU round by adding a magic number.
    o = static_cast<uint16_t>(
        floatBits(bitsFloat(u) + bitsFloat(denormMagic)) - denormMagic);
  } else {
    uint32_t mantOdd = (u >> 13) & 1;
    u += (static_cast<uint32_t>(15 - 127) << 23) + 0xfff;
    u += mantOdd;
    o = static_cast<uint16_t>(u >> 13);
  }
  return static_cast<uint16_t>(o | (sign >> 16));
}

inline float bf16ToFloat(uint16_t b) {
  return bitsFloat(static_cast<uint32_t>(b) << 16);
}

inline uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_HALF_H
