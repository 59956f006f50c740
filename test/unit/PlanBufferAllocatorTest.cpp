//===- PlanBufferAllocatorTest.cpp - Huge-page builder memory -------------===//
//
// The tile plan's builder allocates through ipuc::PlanBufferAllocator; the
// plan must come out byte for byte as with FlatBuffers' default allocator,
// whether the buffer is mapped from the start or grows into a mapping.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/PlanBufferAllocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

/// Fills `fbb` with ~48 MB of vectors and strings (past the allocator's
/// mapping threshold) and finishes it.
std::vector<uint8_t> build(flatbuffers::FlatBufferBuilder &fbb) {
  std::vector<flatbuffers::Offset<flatbuffers::Vector<int64_t>>> vectors;
  std::vector<int64_t> values(1000);
  for (int i = 0; i < 6000; ++i) {
    for (size_t j = 0; j < values.size(); ++j)
      values[j] = i * 7919 + int64_t(j);
    vectors.push_back(fbb.CreateVector(values));
    fbb.CreateString("s" + std::to_string(i));
  }
  auto offsets = fbb.CreateVector(vectors);
  fbb.Finish(offsets);
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

TEST(PlanBufferAllocator, SameBytesAsTheDefaultAllocator) {
  flatbuffers::FlatBufferBuilder reference(1024);
  std::vector<uint8_t> expected = build(reference);
  ASSERT_GT(expected.size(), size_t(40) << 20);

  // Sized up front above the threshold, as ipuc sizes the tile plan.
  ipuc::PlanBufferAllocator allocator;
  {
    flatbuffers::FlatBufferBuilder fbb(size_t(64) << 20, &allocator);
    EXPECT_EQ(build(fbb), expected);
  }
  // Grown from the heap into mappings by the builder's doubling.
  {
    flatbuffers::FlatBufferBuilder fbb(1024, &allocator);
    EXPECT_EQ(build(fbb), expected);
  }
}

TEST(PlanBufferAllocator, MappedBufferIsHugePageAligned) {
  ipuc::PlanBufferAllocator allocator;
  size_t size = (size_t(32) << 20) + 12345;
  uint8_t *p = allocator.allocate(size);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (size_t(2) << 20), 0u);
  // Every byte is usable, first and last included.
  p[0] = 1;
  p[size - 1] = 2;
  EXPECT_EQ(p[0] + p[size - 1], 3);
  allocator.deallocate(p, size);
}

} // namespace
