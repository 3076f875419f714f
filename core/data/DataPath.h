#pragma once
// Where a project's data path points. A relative data.path is relative to the project file's
// folder (not to the working directory), so a project beside its data.csv works wherever the
// program is started from. loadProject resolves it to an absolute path; saveProject writes a
// path inside the project's folder relative to it again.
#include <string>

namespace nc::core {

/// `path` resolved against `baseDirectory` when it is relative and both are non-empty (the
/// result is lexically normal), else `path` unchanged.
std::string resolveDataPath(const std::string& path, const std::string& baseDirectory);

/// `path` relative to `baseDirectory` when it is an absolute path inside that folder (lexically,
/// no ".." in the result), else `path` unchanged.
std::string relativeDataPath(const std::string& path, const std::string& baseDirectory);

/// The absolute folder of a project file path ("p.json" -> the working directory).
std::string projectFolder(const std::string& projectFile);

}  // namespace nc::core
