// MULTI/EXEC with the refused command's own error instead of EXECABORT (see the header).
#include "transaction.hpp"

#include "server_facts.hpp"

#include <algorithm>
#include <cctype>

namespace shop::redis {

namespace {
std::string upper(std::string_view name)
{
    std::string out(name);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}
} // namespace

Transaction::Transaction(Connection& connection) : connection_(connection) {}

Transaction::~Transaction()
{
    if (!begun_ || done_ || failed_)
        return;
    // MULTI and the commands sit in hiredis's buffer: sending them with a DISCARD and
    // reading their replies keeps the next command's reply its own.
    if (connection_.append({"DISCARD"}))
        drainReplies(names_.size() + 2);
}

bool Transaction::begin()
{
    if (failed_ || done_)
        return false;
    if (!begun_) {
        begun_ = true;
        if (!connection_.append({"MULTI"})) {
            failed_ = true;
            return false;
        }
    }
    return true;
}

bool Transaction::queue(std::initializer_list<std::string_view> args)
{
    if (!begin() || args.size() == 0)
        return false;
    if (!connection_.append(args)) {
        failed_ = true;
        return false;
    }
    names_.push_back(upper(*args.begin()));
    return true;
}

bool Transaction::queue(const std::vector<std::string_view>& args)
{
    if (!begin() || args.empty())
        return false;
    if (!connection_.append(args)) {
        failed_ = true;
        return false;
    }
    names_.push_back(upper(args.front()));
    return true;
}

void Transaction::drainReplies(std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i) {
        if (!connection_.getReply() && !connection_.isConnected())
            return;
    }
}

TransactionResult Transaction::exec()
{
    TransactionResult result;
    const auto ioError = [&] {
        result.error = connection_.error();
        result.kind = connection_.errorKind();
        return std::move(result);
    };
    if (done_ || !begin() || failed_) {
        done_ = true;
        return ioError();
    }
    done_ = true;
    if (!connection_.append({"EXEC"}))
        return ioError();

    // MULTI's +OK, then +QUEUED or the refusal of each command, then EXEC's answer.
    const Reply multi = connection_.getReply();
    if (!multi && !connection_.isConnected())
        return ioError();
    std::string refusal;
    ErrorKind refusalKind = ErrorKind::None;
    std::size_t refused = 0;
    for (std::size_t i = 0; i < names_.size(); ++i) {
        const Reply queued = connection_.getReply();
        if (!queued && !connection_.isConnected())
            return ioError();
        if (queued.isError() && refusal.empty()) {
            refusal = std::string(queued.str());
            refusalKind = queued.errorKind();
            refused = i;
        }
    }
    Reply exec = connection_.getReply();
    if (!exec && !connection_.isConnected())
        return ioError();

    if (exec.isArray()) {
        result.committed = true;
        for (std::size_t i = 0; i < exec.size() && i < names_.size(); ++i) {
            const ReplyView reply = ReplyView(exec.raw())[i];
            if (reply.isError()) {
                result.kind = reply.errorKind();
                result.error = names_[i] + " failed inside the transaction (" + std::string(reply.str())
                               + "); the commands before it ran";
                break;
            }
        }
        result.replies = std::move(exec);
        return result;
    }
    if (exec.isError()) {
        // EXECABORT says only that something was refused; say what and why.
        if (!refusal.empty()) {
            result.kind = refusalKind;
            result.error = refusalKind == ErrorKind::Misconf
                               ? describeDiskRefusal(connection_, refusal)
                               : names_[refused] + " was refused (" + refusal + ")";
        } else {
            result.kind = exec.errorKind();
            result.error = "the transaction was refused (" + std::string(exec.str()) + ")";
        }
        return result;
    }
    result.watchAborted = true; // a nil EXEC
    return result;
}

} // namespace shop::redis
