// Finding items of the real QML by objectName, for the tests that drive the window.
#pragma once

#include <QQuickItem>

// The first item named `name` under `root` (visual children, depth first).
inline QQuickItem* findQuickItem(QQuickItem* root, const QString& name)
{
    if (!root)
        return nullptr;
    if (root->objectName() == name)
        return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = findQuickItem(child, name))
            return found;
    return nullptr;
}
