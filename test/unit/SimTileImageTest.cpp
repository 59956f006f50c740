//===- SimTileImageTest.cpp - The tile image in tile memory ---------------===//
//
// A plan's mapped constants can live in its tile image (plan.fbs TileImage)
// instead of their tensors' data. The simulator maps a file plan's image
// pages into tile memory and copies the rest; either way the tiles read the
// image's bytes. A page that a tensor the program writes shares with a
// constant is copied rather than mapped (a write to a mapped page would be
// a copy-on-write fault and a TLB shootdown), and writing it changes
// neither the constant beside it nor the plan file.
//
//===----------------------------------------------------------------------===//

#include "SimTestBuilder.h"
#include "SimTestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

using namespace ipuc;
using namespace ipuc::test;
using plan::TileImageRange;
using plan::TileInterval;
using TB = TilePlanBuilder;

namespace {

constexpr int64_t kRow = 2048; // a row of W: two pages of f32
constexpr uint64_t kSram = 638976;
constexpr uint64_t kPage = plan::kTileImagePageBytes;
// Row 1 of W starts 100 bytes into tile 1's range: the range's last 100
// bytes are a partial page, copied rather than mapped.
constexpr uint64_t kRow0At = 2 * kPage, kRow1At = kPage + 100;

DeviceSpec device() {
  DeviceSpec d;
  d.tiles = 8;
  d.sram = kSram;
  return d;
}

float weight(int64_t i) { return 0.25f * static_cast<float>(i) - 300.0f; }

/// W f32[2, 2048], a constant with no data, its rows on tiles 0 and 1 from
/// the image; y = W + x row by row; z, 25 floats in the zeros of tile 1's
/// range below W's row (the same page), filled with 7. A tensor high on
/// every tile makes the arena big enough (4 MB) to be mapped, and so start
/// its tiles on pages.
struct ImagePlan {
  TB b;
  std::vector<TileImageRange> ranges;
  std::vector<uint8_t> bytes;

  ImagePlan() {
    std::vector<uint8_t> none;
    uint32_t w = b.addTensor("W", plan::DType::F32, {2, kRow},
                             plan::TensorRole::Constant, none);
    uint32_t x = b.addInput("x", {2, kRow});
    uint32_t y = b.addOutput("y", {2, kRow});
    uint32_t z = b.addOutput("z", {25});
    uint32_t high = b.addF32("high", {8});
    b.map(w, {TileInterval(0, 0, kRow, kRow0At),
              TileInterval(1, kRow, 2 * kRow, kRow1At)});
    b.map(x, {TileInterval(0, 0, kRow, 65536),
              TileInterval(1, kRow, 2 * kRow, 65536)});
    b.map(y, {TileInterval(0, 0, kRow, 131072),
              TileInterval(1, kRow, 2 * kRow, 131072)});
    b.mapOn(z, 1, 25, kPage);
    std::vector<TileInterval> highs;
    for (uint32_t t = 0; t < 8; ++t)
      highs.push_back(TileInterval(t, t, t + 1, kSram - 64));
    b.map(high, highs);
    std::vector<VertexSpec> adds;
    for (uint32_t r = 0; r < 2; ++r)
      adds.push_back({r,
                      {{w, {r, 0}, {1, kRow}},
                       {x, {r, 0}, {1, kRow}},
                       {y, {r, 0}, {1, kRow}}},
                      addCodelet(kRow)});
    b.add(TB::computeSet("add", "loc", adds));
    b.add(TB::computeSet("fill", "loc",
                         {{1, {{z, {0}, {25}}}, fillCodelet(0, 7)}}));
    // Tile 0's range is row 0, from its first byte. Tile 1's starts on the
    // page below row 1: 100 zero bytes (where z lives), then row 1.
    uint64_t size1 = (kRow1At - kPage) + kRow * 4;
    ranges = {TileImageRange(0, kRow0At, 0, kRow * 4),
              TileImageRange(1, kPage, kRow * 4, size1)};
    bytes.assign(kRow * 4 + (size1 + kPage - 1) / kPage * kPage, 0);
    for (int64_t i = 0; i < 2 * kRow; ++i) {
      float v = weight(i);
      uint64_t at =
          i < kRow ? i * 4 : kRow * 4 + (kRow1At - kPage) + (i - kRow) * 4;
      std::memcpy(bytes.data() + at, &v, 4);
    }
  }
  std::vector<uint8_t> finish() {
    b.setImage(ranges, bytes);
    return b.finish(device());
  }
};

std::vector<float> input() {
  std::vector<float> x(2 * kRow);
  for (int64_t i = 0; i < 2 * kRow; ++i)
    x[i] = static_cast<float>(i % 17) - 8.0f;
  return x;
}

/// Runs the plan and checks y = W + x and z = 7 against values computed here.
void runAndCheck(const plan::LoadedPlan &p, bool expectMapped) {
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  sim::SimDecodeStats stats = dev->decodeStats();
  if (expectMapped) {
    // Tile 0's two pages and tile 1's second page mapped; tile 1's first
    // page (z, which the fill writes, shares it with W's row 1) and its
    // last 100 bytes copied.
    EXPECT_EQ(stats.imageMappedBytes, 3 * kPage);
    EXPECT_EQ(stats.imageCopiedBytes, kPage + 100u);
  } else {
    EXPECT_EQ(stats.imageMappedBytes, 0u);
    EXPECT_EQ(stats.imageCopiedBytes, kRow * 4 + (kRow1At - kPage) + kRow * 4);
  }
  std::vector<float> x = input();
  std::string err;
  ASSERT_TRUE(dev->setInput("x", plan::DType::F32, {2, kRow}, x.data(),
                            x.size() * 4, err))
      << err;
  ASSERT_TRUE(dev->run(err)) << err;
  std::vector<float> y = output(*dev, "y", 2 * kRow);
  ASSERT_EQ(y.size(), size_t(2 * kRow));
  for (int64_t i = 0; i < 2 * kRow; ++i)
    ASSERT_EQ(y[i], weight(i) + x[i]) << "element " << i;
  EXPECT_EQ(output(*dev, "z", 25), std::vector<float>(25, 7.0f));
}

std::string writeTemp(const std::vector<uint8_t> &bytes, const char *name) {
  std::string path = testing::TempDir() + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return path;
}

std::vector<uint8_t> readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST(SimTileImage, MappedFromThePlanFile) {
  ImagePlan ip;
  std::vector<uint8_t> bytes = ip.finish();
  std::string path = writeTemp(bytes, "tile_image.ipuplan");
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanFile(path, p, err)) << err;
  runAndCheck(p, /*expectMapped=*/true);
  // The fill wrote z, beside W's row 1 in tile 1's first page: the page was
  // copied, and the file is unchanged.
  EXPECT_EQ(readAll(path), bytes);
  std::remove(path.c_str());
}

TEST(SimTileImage, CopiedFromABuffer) {
  ImagePlan ip;
  runAndCheck(load(ip.finish()), /*expectMapped=*/false);
}

TEST(SimTileImage, PrintedWithItsRanges) {
  ImagePlan ip;
  plan::LoadedPlan p = load(ip.finish());
  std::string s = plan::printPlan(p.plan());
  EXPECT_NE(s.find("tensor \"W\" f32[2x2048] constant (in the tile image)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  image 20480 bytes\n"
                   "    tile 0 bytes [8192, 16384) from image byte 0\n"
                   "    tile 1 bytes [4096, 12388) from image byte 8192\n"),
            std::string::npos)
      << s;
}

std::string loadError(std::vector<uint8_t> bytes) {
  plan::LoadedPlan p;
  std::string err;
  if (plan::loadPlanBuffer(std::move(bytes), p, err))
    return "";
  return err;
}

#define EXPECT_IMAGE_ERROR(edit, text)                                         \
  do {                                                                         \
    ImagePlan ip;                                                              \
    edit;                                                                      \
    std::string e = loadError(ip.finish());                                    \
    EXPECT_NE(e.find(text), std::string::npos) << "error was: " << e;          \
  } while (0)

TEST(SimTileImage, VerifierErrors) {
  EXPECT_IMAGE_ERROR(ip.ranges[1] = TileImageRange(9, kPage, 8192, 100),
                     "tile image range 1: tile 9 does not exist (the device "
                     "has 8 tiles)");
  EXPECT_IMAGE_ERROR(std::swap(ip.ranges[0], ip.ranges[1]),
                     "tile image range 1: tile 0 comes after tile 1");
  EXPECT_IMAGE_ERROR(ip.ranges[1] = TileImageRange(1, kPage, 20000, 8292),
                     "tile image range 1: image bytes [20000, +8292) are "
                     "outside the 20480 bytes of the image");
  EXPECT_IMAGE_ERROR(ip.ranges[1] = TileImageRange(1, kSram - 8, 8192, 100),
                     "tile image range 1: 100 bytes at byte 638968 of tile 1 "
                     "are outside its 638976 bytes of memory");
  // Row 1 starts 100 bytes before the range.
  EXPECT_IMAGE_ERROR(ip.ranges[1] = TileImageRange(1, kPage + 200, 8192, 8192),
                     "tile mapping 0: constant tensor %0 'W' has no data, and "
                     "its elements [2048, 4096) at bytes [4196, 12388) of tile "
                     "1 are not in the tile image");
  EXPECT_IMAGE_ERROR(ip.ranges.pop_back(),
                     "of tile 1 are not in the tile image");
}

TEST(SimTileImage, ConstantWithoutDataNeedsTheImage) {
  // No image: W's missing data is an error, as in any plan.
  ImagePlan ip;
  std::string e = loadError(ip.b.finish(device()));
  EXPECT_NE(e.find("tensor %0 'W' (f32[2x2048]) has 0 bytes of data, "
                   "expected 16384"),
            std::string::npos)
      << e;
}

TEST(SimTileImage, RangeOfLessThanAPageBesideAWrittenTensor) {
  // c, 8 floats from the image, and y = c + x in the zeros of the same
  // 64-byte range on tile 0: no whole page, so nothing is mapped and all of
  // it is copied.
  TB b;
  std::vector<uint8_t> none;
  uint32_t c =
      b.addTensor("c", plan::DType::F32, {8}, plan::TensorRole::Constant, none);
  uint32_t x = b.addInput("x", {8});
  uint32_t y = b.addOutput("y", {8});
  uint32_t high = b.addF32("high", {8});
  b.mapOn(c, 0, 8, kPage);
  b.mapOn(x, 0, 8, 2 * kPage);
  b.mapOn(y, 0, 8, kPage + 32);
  std::vector<TileInterval> highs;
  for (uint32_t t = 0; t < 8; ++t)
    highs.push_back(TileInterval(t, t, t + 1, kSram - 64));
  b.map(high, highs);
  b.add(TB::computeSet(
      "add", "loc",
      {{0, {{c, {0}, {8}}, {x, {0}, {8}}, {y, {0}, {8}}}, addCodelet(8)}}));
  std::vector<uint8_t> image(kPage, 0);
  for (int i = 0; i < 8; ++i) {
    float v = weight(i);
    std::memcpy(image.data() + 4 * i, &v, 4);
  }
  b.setImage({TileImageRange(0, kPage, 0, 64)}, image);
  std::string path = writeTemp(b.finish(device()), "small_range.ipuplan");
  plan::LoadedPlan p;
  std::string err;
  ASSERT_TRUE(plan::loadPlanFile(path, p, err)) << err;
  auto dev = makeSim(p);
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->decodeStats().imageMappedBytes, 0u);
  EXPECT_EQ(dev->decodeStats().imageCopiedBytes, 64u);
  std::vector<float> in(8, 1.5f);
  ASSERT_TRUE(dev->setInput("x", plan::DType::F32, {8}, in.data(), 32, err))
      << err;
  ASSERT_TRUE(dev->run(err)) << err;
  std::vector<float> want;
  for (int i = 0; i < 8; ++i)
    want.push_back(weight(i) + 1.5f);
  EXPECT_EQ(output(*dev, "y", 8), want);
  std::remove(path.c_str());
}

} // namespace
