//===- BoxCacheTest.cpp - ipuc::partition::BoxCache -----------------------===//
//
// The cache must answer every box with the very attribute BoxAttr::get
// uniques, whether asked for the first time, again, or after a clear, and
// must tell apart boxes whose values only differ in where offsets end.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/BoxCache.h"
#include "dialects/Bsp/IR/BspDialect.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mlir;
using ipuc::partition::BoxCache;
namespace bsp = ipuc::bsp;

namespace {

struct BoxCacheTest : ::testing::Test {
  BoxCacheTest() { ctx.loadDialect<bsp::BspDialect>(); }
  MLIRContext ctx;
};

TEST_F(BoxCacheTest, SameAttributeAsTheContext) {
  BoxCache cache(&ctx);
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> boxes = {
      {{0, 64}, {32, 64}},    {{0, 0}, {32, 64}},  {{}, {}},
      {{1, 2, 3}, {4, 5, 6}}, {{0, 64}, {32, 64}}, {{7}, {1}}};
  // Twice over: first answers come from the context, second from the cache.
  for (int round = 0; round < 2; ++round)
    for (auto &[offsets, sizes] : boxes) {
      bsp::BoxAttr got = cache.get(offsets, sizes);
      EXPECT_EQ(got, bsp::BoxAttr::get(&ctx, offsets, sizes));
      EXPECT_EQ(got.getOffsets(), ArrayRef<int64_t>(offsets));
      EXPECT_EQ(got.getSizes(), ArrayRef<int64_t>(sizes));
    }
  cache.clear();
  EXPECT_EQ(cache.get({3}, {4}), bsp::BoxAttr::get(&ctx, {3}, {4}));
}

TEST_F(BoxCacheTest, SplitBetweenOffsetsAndSizesMatters) {
  // The same six values, cut differently: different attributes (not valid
  // boxes, which the cache does not check, as BoxAttr::get does not).
  BoxCache cache(&ctx);
  bsp::BoxAttr a = cache.get({1, 2}, {3, 4, 5, 6});
  bsp::BoxAttr b = cache.get({1, 2, 3}, {4, 5, 6});
  bsp::BoxAttr c = cache.get({1, 2, 3, 4}, {5, 6});
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_EQ(b, bsp::BoxAttr::get(&ctx, {1, 2, 3}, {4, 5, 6}));
  EXPECT_EQ(a, cache.get({1, 2}, {3, 4, 5, 6}));
}

} // namespace
