//===- AtomicFile.cpp - Atomic writes, whole-file reads, mkdir -p ---------===//

#include "ipuc/support/AtomicFile.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipuc::support {

bool writeFileAtomically(const std::string &path, const void *data,
                         size_t size, std::string &error) {
  // The temporary must live in the target's directory: rename() is only
  // atomic within one file system.
  std::string tmpl = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error = fmt::format("{}: cannot create a temporary file: {}", path,
                        std::strerror(errno));
    return false;
  }
  auto failWith = [&](const char *what) {
    error = fmt::format("{}: {}: {}", path, what, std::strerror(errno));
    ::close(fd);
    ::unlink(tmpl.c_str());
    return false;
  };
  const char *p = static_cast<const char *>(data);
  size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return failWith("write failed");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  // mkstemp creates 0600 files; outputs should get the usual permissions.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::fsync(fd) != 0)
    return failWith("fsync failed");
  if (::close(fd) != 0) {
    error = fmt::format("{}: close failed: {}", path, std::strerror(errno));
    ::unlink(tmpl.c_str());
    return false;
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    error = fmt::format("{}: rename failed: {}", path, std::strerror(errno));
    ::unlink(tmpl.c_str());
    return false;
  }
  return true;
}

bool readFile(const std::string &path, std::string &out, std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = fmt::format("{}: cannot open: {}", path, std::strerror(errno));
    return false;
  }
  out.clear();
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    out.append(buf, n);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) {
    error = fmt::format("{}: read error", path);
    return false;
  }
  return true;
}

bool createDirectories(const std::string &path, std::string &error) {
  if (path.empty())
    return true;
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      error = fmt::format("{}: cannot create directory: {}", prefix,
                          std::strerror(errno));
      return false;
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = fmt::format("{}: not a directory", path);
    return false;
  }
  return true;
}

} // namespace ipuc::support
