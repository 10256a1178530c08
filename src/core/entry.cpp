// RawEntry field capture and fingerprint.
#include "entry.hpp"

namespace shop {

void RawEntry::setField(std::string_view name, std::string_view value)
{
    if (name == "type")
        type = value;
    else if (name == "data")
        data = value;
    else if (name == "v")
        v = value;
    else if (name == "eid")
        eid = value;
    else if (name == "actor")
        actor = value;
}

namespace {
struct Fnv1a {
    std::uint64_t h = 14695981039346656037ULL;
    void add(std::string_view bytes)
    {
        for (unsigned char c : bytes) {
            h ^= c;
            h *= 1099511628211ULL;
        }
    }
    // Length first, so that field boundaries cannot be shifted without changing the sum.
    void addField(const std::optional<std::string_view>& field)
    {
        if (!field) {
            add(std::string_view("\xff", 1));
            return;
        }
        const std::uint64_t n = field->size();
        char length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = static_cast<char>((n >> (8 * i)) & 0xff);
        add(std::string_view(length, 8));
        add(*field);
    }
};
} // namespace

std::uint64_t entryFingerprint(const RawEntry& entry)
{
    Fnv1a f;
    f.addField(entry.id);
    f.addField(entry.type);
    f.addField(entry.data);
    f.addField(entry.v);
    f.addField(entry.eid);
    f.addField(entry.actor);
    return f.h;
}

} // namespace shop
