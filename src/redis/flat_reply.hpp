// FlatReply: a reply read into one arena instead of a tree of hiredis objects. hiredis
// builds (and later frees) one heap object per string of a reply, which for a page of
// stream entries is most of the cost of reading it; this keeps every string in one growing
// buffer and the tree as indices, so a warm FlatReply reads a page without allocating.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

class FlatReply {
public:
    enum class Type : std::uint8_t { Nil, String, Status, Error, Integer, Array };

    struct Node {
        Type type = Type::Nil;
        std::uint32_t offset = 0;   // String/Status/Error: into the arena; Array: first child's index
        std::uint32_t length = 0;   // String/Status/Error: bytes; Array: number of children
        std::int64_t integer = 0;
    };

    void clear();
    bool empty() const { return nodes_.empty(); }
    const Node& root() const { return nodes_.front(); }
    const Node& node(std::uint32_t index) const { return nodes_[index]; }
    // The index of the i-th child of an array node.
    std::uint32_t child(const Node& array, std::uint32_t i) const { return array.offset + i; }
    std::string_view text(const Node& n) const { return {arena_.data() + n.offset, n.length}; }
    // The bytes of every string of the reply (a page's size, to bound the next one).
    std::size_t arenaBytes() const { return arena_.size(); }

    // hiredis's reader calls these (through Connection) while it parses a reply.
    void* addString(const void* parentTask, int index, int type, const char* data, std::size_t length);
    void* addArray(const void* parentTask, int index, int elements);
    void* addInteger(const void* parentTask, int index, long long value);
    void* addNil(const void* parentTask, int index);

private:
    Node& slot(const void* parentTask, int index, std::uint32_t& at);

    std::vector<Node> nodes_;
    std::string arena_;
};

} // namespace shop::redis
