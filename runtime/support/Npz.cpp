//===- Npz.cpp - NumPy .npz archives (zip files of .npy) ------------------===//
//
// np.savez writes stored entries, np.savez_compressed deflated ones, both
// possibly with ZIP64 extras. The central directory is the authority for
// names, sizes and offsets; every offset is bounds-checked before use.
//
//===----------------------------------------------------------------------===//

#include "ipuc/support/AtomicFile.h"
#include "ipuc/support/Npy.h"

#include <fmt/format.h>

#include <cstring>
#include <zlib.h>

namespace ipuc::support {
namespace {

uint64_t le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

bool inflateEntry(const uint8_t *src, size_t srcSize, size_t outSize,
                  std::vector<uint8_t> &out, std::string &error) {
  out.resize(outSize);
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
    error = "zlib initialization failed";
    return false;
  }
  zs.next_in = const_cast<uint8_t *>(src);
  zs.avail_in = static_cast<uInt>(srcSize);
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(outSize);
  int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.total_out != outSize) {
    error = "corrupt deflate data";
    return false;
  }
  return true;
}

} // namespace

bool readNpzFile(const std::string &path,
                 std::vector<std::pair<std::string, NpyArray>> &out,
                 std::string &error) {
  std::string file;
  if (!readFile(path, file, error))
    return false;
  const uint8_t *b = reinterpret_cast<const uint8_t *>(file.data());
  size_t size = file.size();
  auto fail = [&](const std::string &msg) {
    error = path + ": " + msg;
    return false;
  };
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  if (size < 22)
    return fail("not a .npz (zip) file: too short");
  size_t eocd = std::string::npos;
  for (size_t i = size - 22 + 1; i-- > 0 && size - i <= 65536 + 22;)
    if (le(b + i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos)
    return fail("not a .npz (zip) file: no end of central directory");
  uint64_t count = le(b + eocd + 10, 2);
  uint64_t cdOffset = le(b + eocd + 16, 4);
  // ZIP64: the real values live in the ZIP64 end record, found via a locator
  // just before the classic record.
  if ((count == 0xffff || cdOffset == 0xffffffff) && eocd >= 20 &&
      le(b + eocd - 20, 4) == 0x07064b50) {
    uint64_t z64 = le(b + eocd - 20 + 8, 8);
    if (z64 > size - 56 || le(b + z64, 4) != 0x06064b50)
      return fail("corrupt ZIP64 end record");
    count = le(b + z64 + 32, 8);
    cdOffset = le(b + z64 + 48, 8);
  }
  out.clear();
  size_t p = cdOffset;
  for (uint64_t e = 0; e < count; ++e) {
    if (p > size || size - p < 46 || le(b + p, 4) != 0x02014b50)
      return fail("corrupt central directory");
    uint64_t method = le(b + p + 10, 2);
    uint64_t csize = le(b + p + 20, 4), usize = le(b + p + 24, 4);
    size_t nameLen = le(b + p + 28, 2), extraLen = le(b + p + 30, 2),
           commentLen = le(b + p + 32, 2);
    uint64_t localOff = le(b + p + 42, 4);
    if (size - p - 46 < nameLen + extraLen + commentLen)
      return fail("corrupt central directory");
    std::string name(reinterpret_cast<const char *>(b + p + 46), nameLen);
    // ZIP64 extra field: the 0xffffffff fields appear in order.
    const uint8_t *x = b + p + 46 + nameLen, *xend = x + extraLen;
    while (xend - x >= 4) {
      size_t id = le(x, 2), len = le(x + 2, 2);
      if (static_cast<size_t>(xend - x - 4) < len)
        break;
      if (id == 1) {
        const uint8_t *f = x + 4, *fend = x + 4 + len;
        if (usize == 0xffffffff && fend - f >= 8)
          usize = le(f, 8), f += 8;
        if (csize == 0xffffffff && fend - f >= 8)
          csize = le(f, 8), f += 8;
        if (localOff == 0xffffffff && fend - f >= 8)
          localOff = le(f, 8), f += 8;
      }
      x += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;

    if (localOff > size || size - localOff < 30 ||
        le(b + localOff, 4) != 0x04034b50)
      return fail("corrupt local header for '" + name + "'");
    size_t dataOff = localOff + 30 + le(b + localOff + 26, 2) +
                     le(b + localOff + 28, 2);
    if (dataOff > size || size - dataOff < csize)
      return fail("truncated entry '" + name + "'");
    std::vector<uint8_t> inflated;
    const uint8_t *data = b + dataOff;
    size_t dataSize = csize;
    if (method == 8) {
      if (usize > (uint64_t(1) << 40))
        return fail("entry '" + name + "' is too large");
      std::string zerr;
      if (!inflateEntry(data, csize, usize, inflated, zerr))
        return fail("entry '" + name + "': " + zerr);
      data = inflated.data();
      dataSize = inflated.size();
    } else if (method != 0) {
      return fail(fmt::format("entry '{}' uses unsupported compression method "
                              "{}",
                              name, method));
    }
    std::string key = name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0)
      key.resize(key.size() - 4);
    NpyArray arr;
    if (!parseNpy(data, dataSize, path + ":" + name, arr, error))
      return false;
    out.emplace_back(key, std::move(arr));
  }
  return true;
}

} // namespace ipuc::support
