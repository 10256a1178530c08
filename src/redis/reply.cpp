// Reply ownership (freeReplyObject) and typed access to hiredis reply trees.
#include "reply.hpp"

#include <hiredis.h>

namespace shop::redis {

namespace {
std::string_view textOf(const redisReply* r)
{
    if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR))
        return {r->str, r->len};
    return {};
}
} // namespace

Reply& Reply::operator=(Reply&& other) noexcept
{
    if (this != &other) {
        if (reply_)
            freeReplyObject(reply_);
        reply_ = other.reply_;
        other.reply_ = nullptr;
    }
    return *this;
}

Reply::~Reply()
{
    if (reply_)
        freeReplyObject(reply_);
}

bool Reply::isNull() const { return !reply_ || reply_->type == REDIS_REPLY_NIL; }
bool Reply::isError() const { return reply_ && reply_->type == REDIS_REPLY_ERROR; }
bool Reply::isString() const { return reply_ && (reply_->type == REDIS_REPLY_STRING || reply_->type == REDIS_REPLY_STATUS); }
bool Reply::isInteger() const { return reply_ && reply_->type == REDIS_REPLY_INTEGER; }
bool Reply::isArray() const { return reply_ && reply_->type == REDIS_REPLY_ARRAY; }
std::string_view Reply::str() const { return textOf(reply_); }
std::int64_t Reply::integer() const { return isInteger() ? reply_->integer : 0; }
std::size_t Reply::size() const { return isArray() ? reply_->elements : 0; }
ErrorKind Reply::errorKind() const { return isError() ? classifyErrorReply(str()) : ErrorKind::None; }

bool ReplyView::isNil() const { return !r_ || r_->type == REDIS_REPLY_NIL; }
bool ReplyView::isError() const { return r_ && r_->type == REDIS_REPLY_ERROR; }
bool ReplyView::isString() const { return r_ && (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS); }
bool ReplyView::isInteger() const { return r_ && r_->type == REDIS_REPLY_INTEGER; }
bool ReplyView::isArray() const { return r_ && r_->type == REDIS_REPLY_ARRAY; }
std::string_view ReplyView::str() const { return textOf(r_); }
std::int64_t ReplyView::integer() const { return isInteger() ? r_->integer : 0; }
std::size_t ReplyView::size() const { return isArray() ? r_->elements : 0; }
ErrorKind ReplyView::errorKind() const { return isError() ? classifyErrorReply(str()) : ErrorKind::None; }

ReplyView ReplyView::operator[](std::size_t i) const
{
    if (!isArray() || i >= r_->elements)
        return ReplyView(nullptr);
    return ReplyView(r_->element[i]);
}

} // namespace shop::redis
