// Walking a token tape (JsonTape, MsgpackTape): each token's `next` is the index just past
// it and its children, so a container's children are found without a tree. Index 0 is the
// root, never a child, so 0 means "none".
#pragma once

#include <cstdint>

namespace shop::tape {

template <typename Tokens>
std::uint32_t firstChild(const Tokens& tokens, std::uint32_t container)
{
    return container + 1 < tokens[container].next ? container + 1 : 0;
}

template <typename Tokens>
std::uint32_t nextSibling(const Tokens& tokens, std::uint32_t container, std::uint32_t child)
{
    const std::uint32_t next = tokens[child].next;
    return next < tokens[container].next ? next : 0;
}

template <typename Tokens>
std::uint32_t childCount(const Tokens& tokens, std::uint32_t container)
{
    std::uint32_t count = 0;
    for (std::uint32_t c = firstChild(tokens, container); c != 0; c = nextSibling(tokens, container, c))
        ++count;
    return count;
}

// In an object/map, the value of the LAST member whose key matches (as a map keeps the
// last of duplicate keys); 0 when there is none. Members are key, value, key, value...
template <typename Tokens, typename KeyMatches>
std::uint32_t findMember(const Tokens& tokens, std::uint32_t object, KeyMatches keyMatches)
{
    std::uint32_t found = 0;
    const std::uint32_t end = tokens[object].next;
    for (std::uint32_t key = object + 1; key < end; key = tokens[key + 1].next) {
        if (keyMatches(key))
            found = key + 1;
    }
    return found;
}

} // namespace shop::tape
