//===- RecentVtables.h - Recently used vtables found first ------*- C++ -*-===//
//
// FlatBufferBuilder::EndTable shares a new table's vtable with an equal
// earlier one by comparing it with every distinct vtable written so far, in
// the order the builder keeps them (first written first). A tile plan has
// about a million tables of a few dozen layouts, and that search was a fifth
// of its serializer's instructions (1-layer encoder, callgrind). Only
// distinct vtables are kept, so at most one equals the new one and their
// order does not change which one a table gets, nor any byte of the plan:
// moving the vtable a table has just used to the front makes the next
// table of the same layout find it at once.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_RECENTVTABLES_H
#define IPUC_COMPILER_PLAN_RECENTVTABLES_H

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

namespace ipuc {
namespace detail {
/// The builder's buffer, whose scratch space holds the vtable list. It is a
/// protected member; a pointer to it taken in a derived class reaches it in
/// any builder.
struct VtableListAccess : flatbuffers::FlatBufferBuilder {
  static flatbuffers::vector_downward flatbuffers::FlatBufferBuilder::*
  buffer() {
    return &VtableListAccess::buf_;
  }
};
} // namespace detail

/// Moves the vtable of `table`, a table of `fbb`, to the front of the
/// builder's vtable list; returns `table`. Not while a table is being built
/// (its fields are on the list's end meanwhile).
template <typename T>
flatbuffers::Offset<T> useVtableFirst(flatbuffers::FlatBufferBuilder &fbb,
                                      flatbuffers::Offset<T> table) {
  using flatbuffers::uoffset_t;
  flatbuffers::vector_downward &buf = fbb.*detail::VtableListAccess::buffer();
  // The table starts with the offset of its vtable from it.
  uoffset_t vtable =
      table.o + flatbuffers::ReadScalar<flatbuffers::soffset_t>(
                    buf.data_at(table.o));
  auto *begin = reinterpret_cast<uoffset_t *>(buf.scratch_data());
  auto *end = reinterpret_cast<uoffset_t *>(buf.scratch_end());
  uoffset_t *at = std::find(begin, end, vtable);
  if (at != end && at != begin)
    std::rotate(begin, at, at + 1);
  return table;
}

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_RECENTVTABLES_H
