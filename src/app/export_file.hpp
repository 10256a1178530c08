// Exports to local files for the window: each file written whole or not at all (QSaveFile),
// a failure said in words. The events rows come from EventListModel::writeRows, the shop from
// the core's own CSV and JSON writers (what `shopstream-cli state` prints).
#pragma once

#include "core/text_sink.hpp"

#include <QString>

#include <functional>
#include <string>

namespace shop {
class ShopState;
}

namespace shop::app {

// Writes what `produce` hands its sink into `path`; "" on success, else why.
QString writeExportFile(const QString& path, const std::function<void(const TextSink&)>& produce);

// `state` as `shopstream-cli state --json` (json) or `--csv` prints it, into `path`.
QString exportShopState(const ShopState& state, const std::string& stream, const QString& path, bool json);

// Where an export goes unless the user says otherwise: the Documents folder (else home),
// "shopstream-<stream>-<what>-<yyyyMMdd-HHmmss>.<csv|json>".
QString defaultExportPath(const QString& stream, const QString& what, const QString& format);

} // namespace shop::app
