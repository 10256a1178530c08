// An owning handle on a hiredis reply, and the error values the Redis layer returns.
#pragma once

#include "error_kind.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct redisReply;

namespace shop::redis {

class Reply {
public:
    Reply() = default;
    explicit Reply(redisReply* reply) : reply_(reply) {}
    Reply(Reply&& other) noexcept : reply_(other.reply_) { other.reply_ = nullptr; }
    Reply& operator=(Reply&& other) noexcept;
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply();

    bool isNull() const;   // no reply at all (I/O error) or a nil reply
    bool isError() const;  // a Redis error reply ("-ERR ...")
    bool isString() const; // bulk or status string
    bool isInteger() const;
    bool isArray() const;
    std::string_view str() const;  // string, status or error text
    std::int64_t integer() const;
    std::size_t size() const;      // elements of an array
    ErrorKind errorKind() const;   // of an error reply; None otherwise (a null Reply too)
    const redisReply* raw() const { return reply_; }
    explicit operator bool() const { return reply_ != nullptr; }

private:
    redisReply* reply_ = nullptr;
};

// A view of one element of a reply tree (no ownership).
class ReplyView {
public:
    explicit ReplyView(const redisReply* r) : r_(r) {}
    bool isNil() const;
    bool isError() const;
    bool isString() const;
    bool isInteger() const;
    bool isArray() const;
    std::string_view str() const;
    std::int64_t integer() const;
    std::size_t size() const;
    ErrorKind errorKind() const; // of an error reply; None otherwise
    ReplyView operator[](std::size_t i) const; // out of range: a nil view
    const redisReply* raw() const { return r_; }

private:
    const redisReply* r_;
};

} // namespace shop::redis
