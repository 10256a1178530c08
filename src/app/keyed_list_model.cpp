// KeyedListModel: what its template does not need to see.
#include "keyed_list_model.hpp"

#include <algorithm>

namespace shop::app {

std::vector<std::pair<int, int>> KeyedListModel::contiguousRanges(std::vector<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::vector<std::pair<int, int>> ranges;
    for (int row : rows) {
        if (!ranges.empty() && ranges.back().second + 1 == row)
            ranges.back().second = row;
        else
            ranges.emplace_back(row, row);
    }
    return ranges;
}

} // namespace shop::app
