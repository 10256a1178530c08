// MULTI ... EXEC in one round trip, for writes that must land together (a snapshot's blob,
// index entry and trimming, DESIGN section 5). When Redis refuses a command while queueing
// it (MISCONF, NOPERM, OOM, ...), EXEC answers only "EXECABORT Transaction discarded
// because of previous errors": the result carries that command's own error and kind.
//
//   Transaction tx(connection);          // after any WATCH
//   tx.queue({"SET", key, blob});
//   tx.queue({"ZADD", index, score, id});
//   const TransactionResult result = tx.exec();
//   if (result.watchAborted) ...         // a watched key changed: nothing ran, try again
//   else if (!result.ok()) ...           // result.error (words), result.kind (ErrorKind)
#pragma once

#include "connection.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct TransactionResult {
    bool committed = false;    // EXEC ran the commands; `replies` holds their replies in order
    bool watchAborted = false; // a WATCHed key changed, so nothing ran
    Reply replies;             // EXEC's array when committed
    // Why it did not work, in words: the refused command's own error ("ZADD was refused
    // (NOPERM ...)", or for MISCONF the sentence of describeDiskRefusal()), a command that
    // failed inside EXEC ("ZADD failed inside the transaction (WRONGTYPE ...)"; the commands
    // before it ran), or the connection's error. Empty when it worked or watchAborted.
    std::string error;
    ErrorKind kind = ErrorKind::None;
    bool ok() const { return committed && error.empty(); }
};

class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction(); // queued but never executed: DISCARDed, so the connection stays in step
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Buffers the command (hiredis copies it; nothing is sent before exec()). False on an
    // I/O error, which exec() then reports.
    bool queue(std::initializer_list<std::string_view> args);
    bool queue(const std::vector<std::string_view>& args);
    // Sends MULTI, the commands and EXEC, and reads every reply. Once per Transaction.
    TransactionResult exec();

private:
    bool begin();
    void drainReplies(std::size_t count); // reads and drops replies, keeping the connection in step

    Connection& connection_;
    std::vector<std::string> names_; // each queued command's name, for messages
    bool begun_ = false;
    bool failed_ = false;
    bool done_ = false;
};

} // namespace shop::redis
