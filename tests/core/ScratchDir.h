#pragma once
// Temporary folders for tests that write files: one per test (TempDir) or one per test process
// (processScratchDir). Both are removed with everything in them.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>

namespace nc::test {

/// A fresh path under the system temp folder, not created (a run folder may want to create it
/// itself), removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") {
    static std::atomic<int> counter{0};
    m_path = std::filesystem::temp_directory_path() /
             ("nc_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  std::string str(const std::string& sub = "") const { return (sub.empty() ? m_path : m_path / sub).string(); }

 private:
  std::filesystem::path m_path;
};

/// This process's scratch folder for `tag` (created), removed when the process exits.
inline std::filesystem::path processScratchDir(const std::string& tag) {
  static std::map<std::string, std::unique_ptr<TempDir>> dirs;
  auto& dir = dirs[tag];
  if (!dir) {
    dir = std::make_unique<TempDir>(tag);
    std::filesystem::create_directories(dir->path());
  }
  return dir->path();
}

}  // namespace nc::test
