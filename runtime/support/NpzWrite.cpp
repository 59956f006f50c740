//===- NpzWrite.cpp - Write a .npz archive -------------------------------===//
//
// np.savez's layout: a zip of stored (uncompressed) "<name>.npy" entries.
// Only what numpy.load needs: local headers, the central directory and its
// end record, with zlib's CRC-32.
//
//===----------------------------------------------------------------------===//

#include "ipuc/support/AtomicFile.h"
#include "ipuc/support/Npy.h"

#include <zlib.h>

namespace ipuc::support {
namespace {
void le(std::vector<uint8_t> &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(uint8_t(v >> (8 * i)));
}
} // namespace

bool writeNpzFile(const std::string &path,
                  const std::vector<std::pair<std::string, NpyArray>> &arrays,
                  std::string &error) {
  std::vector<uint8_t> out, central;
  for (const auto &[name, array] : arrays) {
    std::string file = name + ".npy";
    std::vector<uint8_t> npy = serializeNpy(array);
    if (npy.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu) {
      error = path + ": arrays over 4 GiB need zip64, which is not supported";
      return false;
    }
    uint32_t crc = uint32_t(::crc32(0L, npy.data(), uInt(npy.size())));
    uint64_t offset = out.size();
    le(out, 0x04034b50, 4);
    le(out, 20, 2); // version needed
    le(out, 0, 2);  // flags
    le(out, 0, 2);  // stored
    le(out, 0, 4);  // time, date
    le(out, crc, 4);
    le(out, npy.size(), 4);
    le(out, npy.size(), 4);
    le(out, file.size(), 2);
    le(out, 0, 2);
    out.insert(out.end(), file.begin(), file.end());
    out.insert(out.end(), npy.begin(), npy.end());

    le(central, 0x02014b50, 4);
    le(central, 20, 2);
    le(central, 20, 2);
    le(central, 0, 2);
    le(central, 0, 2);
    le(central, 0, 4);
    le(central, crc, 4);
    le(central, npy.size(), 4);
    le(central, npy.size(), 4);
    le(central, file.size(), 2);
    le(central, 0, 2); // extra
    le(central, 0, 2); // comment
    le(central, 0, 2); // disk
    le(central, 0, 2); // internal attributes
    le(central, 0, 4); // external attributes
    le(central, offset, 4);
    central.insert(central.end(), file.begin(), file.end());
  }
  uint64_t centralOffset = out.size();
  out.insert(out.end(), central.begin(), central.end());
  le(out, 0x06054b50, 4);
  le(out, 0, 2);
  le(out, 0, 2);
  le(out, arrays.size(), 2);
  le(out, arrays.size(), 2);
  le(out, central.size(), 4);
  le(out, centralOffset, 4);
  le(out, 0, 2);
  return writeFileAtomically(path, out.data(), out.size(), error);
}

} // namespace ipuc::support
