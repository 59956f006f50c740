//===- NpyTest.cpp - .npy/.npz reading and writing ------------------------===//

#include "ipuc/support/AtomicFile.h"
#include "ipuc/support/Npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace ipuc::support;

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/ipuc-npy-XXXXXX";
  return ::mkdtemp(tmpl);
}

NpyArray sample() {
  NpyArray a;
  a.descr = "<f4";
  a.shape = {2, 3};
  a.data.resize(24);
  for (int i = 0; i < 6; ++i) {
    float f = i * 0.5f;
    std::memcpy(&a.data[i * 4], &f, 4);
  }
  return a;
}

std::vector<uint8_t> withHeader(const std::string &header, size_t dataBytes) {
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                            uint8_t(header.size()), uint8_t(header.size() >> 8)};
  b.insert(b.end(), header.begin(), header.end());
  b.resize(b.size() + dataBytes);
  return b;
}

TEST(Npy, RoundTrip) {
  std::string dir = tempDir(), err;
  for (NpyArray a : {sample(), NpyArray{"|b1", {3}, {1, 0, 1}},
                     NpyArray{"<i8", {}, std::vector<uint8_t>(8, 1)},
                     NpyArray{"<i4", {0, 4}, {}}}) {
    ASSERT_TRUE(writeNpyFile(dir + "/a.npy", a, err)) << err;
    NpyArray b;
    ASSERT_TRUE(readNpyFile(dir + "/a.npy", b, err)) << err;
    EXPECT_EQ(a.descr, b.descr);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.data, b.data);
  }
  std::vector<uint8_t> bytes = serializeNpy(sample());
  EXPECT_EQ((bytes.size() - 24) % 64, 0u); // header padded to 64
}

TEST(Npy, ReadsVersion2AndNativeOrder) {
  std::string h = "{'descr': '=i2', 'fortran_order': False, 'shape': (2,), }\n";
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0,
                            uint8_t(h.size()), 0, 0, 0};
  b.insert(b.end(), h.begin(), h.end());
  b.insert(b.end(), {1, 0, 2, 0});
  NpyArray a;
  std::string err;
  ASSERT_TRUE(parseNpy(b.data(), b.size(), "x", a, err)) << err;
  EXPECT_EQ(a.descr, "<i2");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2}));
}

TEST(Npy, MalformedHeadersAreErrors) {
  struct Case {
    std::string header;
    const char *expect;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "Fortran"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "big-endian"},
      {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "unsupported dtype"},
      {"{'descr': '<f4', 'shape': (1,), }", "missing"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "shape"},
      {"['descr']", "not a dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,", "shape"},
  };
  for (const Case &c : cases) {
    auto b = withHeader(c.header, 4);
    NpyArray a;
    std::string err;
    EXPECT_FALSE(parseNpy(b.data(), b.size(), "f.npy", a, err)) << c.header;
    EXPECT_NE(err.find(c.expect), std::string::npos) << err;
    EXPECT_EQ(err.rfind("f.npy", 0), 0u) << err;
  }
  std::vector<uint8_t> junk = {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0};
  NpyArray a;
  std::string err;
  EXPECT_FALSE(parseNpy(junk.data(), junk.size(), "f", a, err));
  EXPECT_NE(err.find("bad magic"), std::string::npos);
}

TEST(Npy, EveryTruncationIsAnError) {
  std::vector<uint8_t> b = serializeNpy(sample());
  for (size_t len = 0; len < b.size(); ++len) {
    NpyArray a;
    std::string err;
    EXPECT_FALSE(parseNpy(b.data(), len, "t", a, err)) << len;
    EXPECT_FALSE(err.empty());
  }
}

TEST(Npz, StoredAndDeflated) {
  // NumPy (Debian python3-numpy) is a declared test dependency: it writes
  // the archives, so the reader is checked against an independent writer.
  std::string dir = tempDir();
  std::string cmd = "/usr/bin/python3 -c \"import numpy as np; "
                    "np.savez('" + dir + "/s.npz', x=np.arange(6, dtype=np.float32).reshape(2,3), y=np.array([1,2], dtype=np.int64)); "
                    "np.savez_compressed('" + dir + "/c.npz', x=np.arange(1000, dtype=np.float32))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::vector<std::pair<std::string, NpyArray>> arrays;
  std::string err;
  ASSERT_TRUE(readNpzFile(dir + "/s.npz", arrays, err)) << err;
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].first, "x");
  EXPECT_EQ(arrays[0].second.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(arrays[1].second.descr, "<i8");
  ASSERT_TRUE(readNpzFile(dir + "/c.npz", arrays, err)) << err;
  ASSERT_EQ(arrays.size(), 1u);
  float last;
  std::memcpy(&last, &arrays[0].second.data[999 * 4], 4);
  EXPECT_EQ(last, 999.0f);
  // Truncated archives are errors.
  std::string bytes;
  ASSERT_TRUE(readFile(dir + "/s.npz", bytes, err));
  for (size_t len = 0; len < bytes.size(); len += 7) {
    ASSERT_TRUE(writeFileAtomically(dir + "/t.npz", bytes.data(), len, err));
    EXPECT_FALSE(readNpzFile(dir + "/t.npz", arrays, err)) << len;
  }
}

TEST(AtomicFile, WritesAndCreatesDirectories) {
  std::string dir = tempDir() + "/a/b", err;
  ASSERT_TRUE(createDirectories(dir, err)) << err;
  ASSERT_TRUE(writeFileAtomically(dir + "/f", "hello", 5, err)) << err;
  std::string back;
  ASSERT_TRUE(readFile(dir + "/f", back, err));
  EXPECT_EQ(back, "hello");
  EXPECT_FALSE(writeFileAtomically("/nonexistent-dir/x", "a", 1, err));
  EXPECT_NE(err.find("/nonexistent-dir/x"), std::string::npos);
}

} // namespace
