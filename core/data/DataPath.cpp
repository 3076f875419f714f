#include "core/data/DataPath.h"

#include <filesystem>

namespace nc::core {

namespace fs = std::filesystem;

std::string resolveDataPath(const std::string& path, const std::string& baseDirectory) {
  if (path.empty() || baseDirectory.empty()) return path;
  fs::path p(path);
  if (p.is_absolute()) return path;
  return (fs::path(baseDirectory) / p).lexically_normal().string();
}

std::string relativeDataPath(const std::string& path, const std::string& baseDirectory) {
  if (path.empty() || baseDirectory.empty()) return path;
  fs::path p = fs::path(path).lexically_normal(), base = fs::path(baseDirectory).lexically_normal();
  if (!p.is_absolute() || !base.is_absolute()) return path;
  fs::path relative = p.lexically_relative(base);
  if (relative.empty() || relative == ".") return path;
  for (const fs::path& part : relative)
    if (part == "..") return path;
  return relative.string();
}

std::string projectFolder(const std::string& projectFile) {
  std::error_code ec;
  fs::path absolute = fs::absolute(fs::path(projectFile), ec);
  if (ec) return "";
  return absolute.lexically_normal().parent_path().string();
}

}  // namespace nc::core
