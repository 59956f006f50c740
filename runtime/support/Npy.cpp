//===- Npy.cpp - NumPy .npy reading and writing ---------------------------===//
//
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// A magic string, a version, a little-endian header length and a Python dict
// literal with 'descr', 'fortran_order' and 'shape', then the raw data.
//
//===----------------------------------------------------------------------===//

#include "ipuc/support/AtomicFile.h"
#include "ipuc/support/Npy.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace ipuc::support {

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t npyDescrSize(const std::string &descr) {
  static const struct {
    const char *descr;
    size_t size;
  } kTypes[] = {{"<f4", 4}, {"<f2", 2}, {"<f8", 8}, {"|b1", 1}, {"|i1", 1},
                {"<i2", 2}, {"<i4", 4}, {"<i8", 8}, {"|u1", 1}};
  for (const auto &t : kTypes)
    if (descr == t.descr)
      return t.size;
  return 0;
}

namespace {

// A deliberately small parser for the one dict literal NumPy writes.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : s(text) {}

  bool parse(NpyArray &out, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!eat('{'))
      return fail(error, "header is not a dict");
    while (true) {
      skipSpace();
      if (eat('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail(error, "expected a quoted key");
      skipSpace();
      if (!eat(':'))
        return fail(error, "expected ':' after key '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (!parseString(out.descr))
          return fail(error, "'descr' is not a string (structured dtypes are "
                             "not supported)");
        haveDescr = true;
      } else if (key == "fortran_order") {
        bool fortran;
        if (s.compare(pos, 4, "True") == 0) {
          fortran = true;
          pos += 4;
        } else if (s.compare(pos, 5, "False") == 0) {
          fortran = false;
          pos += 5;
        } else {
          return fail(error, "'fortran_order' is not True or False");
        }
        if (fortran)
          return fail(error, "Fortran-ordered arrays are not supported; save "
                             "with np.ascontiguousarray");
        haveOrder = true;
      } else if (key == "shape") {
        if (!parseShape(out.shape))
          return fail(error, "'shape' is not a tuple of non-negative ints");
        haveShape = true;
      } else {
        return fail(error, "unknown key '" + key + "'");
      }
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat('}'))
        break;
      return fail(error, "expected ',' or '}'");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail(error, "missing 'descr', 'fortran_order' or 'shape'");
    return true;
  }

private:
  bool fail(std::string &error, const std::string &msg) {
    error = "malformed header: " + msg;
    return false;
  }
  void skipSpace() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
      ++pos;
  }
  bool eat(char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &out) {
    if (pos >= s.size() || (s[pos] != '\'' && s[pos] != '"'))
      return false;
    char q = s[pos++];
    size_t end = s.find(q, pos);
    if (end == std::string::npos)
      return false;
    out = s.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!eat('('))
      return false;
    while (true) {
      skipSpace();
      if (eat(')'))
        return true;
      if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos])))
        return false;
      int64_t v = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (v > (int64_t(1) << 56))
          return false;
        v = v * 10 + (s[pos++] - '0');
      }
      if (pos < s.size() && s[pos] == 'L') // Python 2 longs.
        ++pos;
      shape.push_back(v);
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat(')'))
        return true;
      return false;
    }
  }

  const std::string &s;
  size_t pos = 0;
};

// NumPy writes one-byte types with '|' and may write '=' for native order;
// both mean little-endian here.
bool canonicalizeDescr(std::string &descr, std::string &error) {
  if (descr.size() < 2) {
    error = "unsupported dtype '" + descr + "'";
    return false;
  }
  char order = descr[0];
  std::string kind = descr.substr(1);
  if (order == '>' && kind.size() == 2 && kind[1] != '1') {
    error = "big-endian arrays ('" + descr + "') are not supported";
    return false;
  }
  if (order != '<' && order != '|' && order != '=' && order != '>') {
    error = "unsupported dtype '" + descr + "'";
    return false;
  }
  std::string canon = (kind[1] == '1' ? "|" : "<") + kind;
  if (npyDescrSize(canon) == 0) {
    error = "unsupported dtype '" + descr +
            "' (supported: f2 f4 f8 b1 i1 i2 i4 i8 u1)";
    return false;
  }
  descr = canon;
  return true;
}

} // namespace

bool parseNpy(const uint8_t *bytes, size_t size, const std::string &what,
              NpyArray &out, std::string &error) {
  auto fail = [&](const std::string &msg) {
    error = what + ": " + msg;
    return false;
  };
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    return fail("not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = bytes[8] | (size_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return fail("truncated header");
    headerLen = bytes[8] | (size_t(bytes[9]) << 8) | (size_t(bytes[10]) << 16) |
                (size_t(bytes[11]) << 24);
    headerStart = 12;
  } else {
    return fail(fmt::format("unsupported .npy version {}.{}", major, bytes[7]));
  }
  if (headerLen > size - headerStart)
    return fail("truncated header");
  std::string header(reinterpret_cast<const char *>(bytes + headerStart),
                     headerLen);
  NpyArray arr;
  std::string herr;
  if (!HeaderParser(header).parse(arr, herr) ||
      !canonicalizeDescr(arr.descr, herr))
    return fail(herr);
  __int128 n = 1;
  for (int64_t d : arr.shape) {
    n *= d;
    if (n > (__int128(1) << 56))
      return fail("shape is too large");
  }
  __int128 want = n * npyDescrSize(arr.descr);
  size_t dataStart = headerStart + headerLen;
  if (want > static_cast<__int128>(size - dataStart))
    return fail(fmt::format("truncated data: {} bytes for a {} array of shape "
                            "({}) that needs {}",
                            size - dataStart, arr.descr,
                            fmt::join(arr.shape, ", "),
                            static_cast<int64_t>(want)));
  if (want < static_cast<__int128>(size - dataStart))
    return fail(fmt::format("{} trailing bytes after the data",
                            static_cast<int64_t>(size - dataStart - want)));
  arr.data.assign(bytes + dataStart, bytes + dataStart + size_t(want));
  out = std::move(arr);
  return true;
}

bool readNpyFile(const std::string &path, NpyArray &out, std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  return parseNpy(reinterpret_cast<const uint8_t *>(bytes.data()),
                  bytes.size(), path, out, error);
}

std::vector<uint8_t> serializeNpy(const NpyArray &array) {
  std::string shape;
  for (int64_t d : array.shape)
    shape += std::to_string(d) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.resize(shape.size() - 1);
  std::string header = fmt::format(
      "{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
      array.descr, shape);
  // Pad with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(header.size() & 0xff);
  out.push_back((header.size() >> 8) & 0xff);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

bool writeNpyFile(const std::string &path, const NpyArray &array,
                  std::string &error) {
  std::vector<uint8_t> bytes = serializeNpy(array);
  return writeFileAtomically(path, bytes.data(), bytes.size(), error);
}

} // namespace ipuc::support
