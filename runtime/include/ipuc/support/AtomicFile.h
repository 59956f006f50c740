//===- AtomicFile.h - Write a file all at once or not at all ----*- C++ -*-===//
//
// Output files are written to a temporary in the same directory, fsynced and
// renamed over the target, so a crash or a full disk never leaves a truncated
// .npy where a reader expects a whole one.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SUPPORT_ATOMICFILE_H
#define IPUC_SUPPORT_ATOMICFILE_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace ipuc::support {

bool writeFileAtomically(const std::string &path, const void *data,
                         size_t size, std::string &error);

/// Reads a whole file.
bool readFile(const std::string &path, std::string &out, std::string &error);

/// mkdir -p.
bool createDirectories(const std::string &path, std::string &error);

} // namespace ipuc::support

#endif // IPUC_SUPPORT_ATOMICFILE_H
