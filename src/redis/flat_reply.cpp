// FlatReply: hiredis reader callbacks that fill an arena. An object handed back to hiredis
// is the node's index + 1 (hiredis wants non-null pointers); nodes of an array's children are
// reserved in one block when the array's header is read, so a child's place is its index.
#include "flat_reply.hpp"

#include <hiredis.h>

namespace shop::redis {

namespace {
std::uint32_t indexOf(void* object) { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(object) - 1); }
void* objectOf(std::uint32_t index) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(index) + 1); }
} // namespace

void FlatReply::clear()
{
    nodes_.clear();
    arena_.clear();
    // A reply of a few huge entries must not keep its memory for good.
    constexpr std::size_t kKeep = 32 * 1024 * 1024;
    if (arena_.capacity() > kKeep)
        std::string().swap(arena_);
    if (nodes_.capacity() * sizeof(Node) > kKeep)
        std::vector<Node>().swap(nodes_);
}

FlatReply::Node& FlatReply::slot(const void* parentTask, int index, std::uint32_t& at)
{
    const auto* parent = static_cast<const redisReadTask*>(parentTask);
    if (!parent) {
        // The reply itself: always node 0.
        clear();
        nodes_.emplace_back();
        at = 0;
        return nodes_[0];
    }
    const Node& array = nodes_[indexOf(parent->obj)];
    at = array.offset + static_cast<std::uint32_t>(index);
    return nodes_[at];
}

void* FlatReply::addString(const void* parentTask, int index, int type, const char* data, std::size_t length)
{
    std::uint32_t at;
    Node& n = slot(parentTask, index, at);
    n.type = type == REDIS_REPLY_ERROR ? Type::Error : type == REDIS_REPLY_STATUS ? Type::Status : Type::String;
    n.offset = static_cast<std::uint32_t>(arena_.size());
    n.length = static_cast<std::uint32_t>(length);
    arena_.append(data, length);
    return objectOf(at);
}

void* FlatReply::addArray(const void* parentTask, int index, int elements)
{
    std::uint32_t at;
    slot(parentTask, index, at);
    const auto first = static_cast<std::uint32_t>(nodes_.size());
    nodes_.resize(nodes_.size() + static_cast<std::size_t>(elements > 0 ? elements : 0));
    Node& n = nodes_[at]; // after the resize: references into nodes_ may have moved
    n.type = Type::Array;
    n.offset = first;
    n.length = static_cast<std::uint32_t>(elements > 0 ? elements : 0);
    return objectOf(at);
}

void* FlatReply::addInteger(const void* parentTask, int index, long long value)
{
    std::uint32_t at;
    Node& n = slot(parentTask, index, at);
    n.type = Type::Integer;
    n.integer = value;
    return objectOf(at);
}

void* FlatReply::addNil(const void* parentTask, int index)
{
    std::uint32_t at;
    Node& n = slot(parentTask, index, at);
    n.type = Type::Nil;
    return objectOf(at);
}

} // namespace shop::redis
