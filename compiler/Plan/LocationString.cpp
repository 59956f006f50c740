//===- LocationString.cpp - Human-readable source locations --------------===//

#include "compiler/Plan/LocationString.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace {
/// One leaf of a location: the file it points into (may be empty) and either
/// a node description or a "line:col" suffix.
struct Piece {
  std::string file;
  std::string text;
  bool isNode;
  bool operator==(const Piece &o) const {
    return file == o.file && text == o.text && isNode == o.isNode;
  }
};
} // namespace

/// "conv1 (Conv)" -> "node 'conv1' (Conv)"; other names are quoted as is.
static std::string describeName(StringRef name) {
  size_t open = name.rfind(" (");
  if (open != StringRef::npos && name.ends_with(")"))
    return llvm::formatv("node '{0}' {1}", name.take_front(open),
                         name.drop_front(open + 1))
        .str();
  return llvm::formatv("'{0}'", name).str();
}

static std::string fileOf(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str();
  if (auto name = dyn_cast<NameLoc>(loc))
    return fileOf(name.getChildLoc());
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return fileOf(call.getCallee());
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location child : fused.getLocations())
      if (std::string file = fileOf(child); !file.empty())
        return file;
  return "";
}

static void collect(Location loc, SmallVectorImpl<Piece> &pieces) {
  auto add = [&](Piece piece) {
    if (!llvm::is_contained(pieces, piece))
      pieces.push_back(std::move(piece));
  };
  if (auto name = dyn_cast<NameLoc>(loc)) {
    add({fileOf(name.getChildLoc()), describeName(name.getName().getValue()),
         true});
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    add({file.getFilename().str(),
         llvm::formatv("{0}:{1}", file.getLine(), file.getColumn()).str(),
         false});
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location child : fused.getLocations())
      collect(child, pieces);
  } else if (auto call = dyn_cast<CallSiteLoc>(loc)) {
    collect(call.getCallee(), pieces);
  } else if (auto opaque = dyn_cast<OpaqueLoc>(loc)) {
    collect(opaque.getFallbackLocation(), pieces);
  }
}

std::string ipuc::formatLocation(Location loc) {
  SmallVector<Piece> pieces;
  collect(loc, pieces);
  std::string out;
  std::string lastNodeFile;
  bool lastWasNode = false;
  for (const Piece &piece : pieces) {
    if (piece.isNode && lastWasNode && piece.file == lastNodeFile) {
      out += ", " + piece.text;
      continue;
    }
    if (!out.empty())
      out += "; ";
    if (piece.isNode)
      out += piece.file.empty() ? piece.text : piece.file + ": " + piece.text;
    else
      out += piece.file + ":" + piece.text;
    lastWasNode = piece.isNode;
    lastNodeFile = piece.file;
  }
  return out;
}
