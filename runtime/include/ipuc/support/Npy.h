//===- Npy.h - NumPy .npy and .npz arrays -----------------------*- C++ -*-===//
//
// Arrays go in and out of ipu-run as NumPy files, as with IREE and most ML
// tools. Only little-endian, C-ordered arrays of the element types the plan
// can hold (plus uint8) are supported; anything else is a clear error.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SUPPORT_NPY_H
#define IPUC_SUPPORT_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::support {

/// A dense, C-ordered array as stored in a .npy file.
struct NpyArray {
  /// Canonical NumPy descr: "<f4", "<f2", "<f8", "|b1", "|i1", "<i2", "<i4",
  /// "<i8" or "|u1".
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numElements() const;
};

/// Bytes per element of a canonical descr, or 0 if unsupported.
size_t npyDescrSize(const std::string &descr);

/// Parses a whole .npy file image. `what` names the source in errors.
bool parseNpy(const uint8_t *bytes, size_t size, const std::string &what,
              NpyArray &out, std::string &error);
bool readNpyFile(const std::string &path, NpyArray &out, std::string &error);

/// Serializes to a version 1.0 .npy image (header padded to 64 bytes).
std::vector<uint8_t> serializeNpy(const NpyArray &array);
/// Writes atomically (see AtomicFile.h).
bool writeNpyFile(const std::string &path, const NpyArray &array,
                  std::string &error);

/// Reads every array of a .npz archive, keyed by name without ".npy", in
/// archive order. Stored and (when built with zlib) deflated entries.
bool readNpzFile(const std::string &path,
                 std::vector<std::pair<std::string, NpyArray>> &out,
                 std::string &error);

/// Writes arrays as an uncompressed .npz (np.savez's format), atomically.
bool writeNpzFile(const std::string &path,
                  const std::vector<std::pair<std::string, NpyArray>> &arrays,
                  std::string &error);

} // namespace ipuc::support

#endif // IPUC_SUPPORT_NPY_H
