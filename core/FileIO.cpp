#include "core/FileIO.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace nc::core {

namespace fs = std::filesystem;

namespace {

std::string parentOf(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

bool syncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string tempPathFor(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool syncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

Status commitTempFile(const std::string& tmp, const std::string& path) {
  if (!syncFile(tmp)) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot sync the written file to disk (" + why + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot replace file (" + why + ")");
  }
  syncDirectory(parentOf(path));  // best effort: some file systems refuse fsync on folders
  return {};
}

Status writeFileAtomic(const std::string& path, const std::string& contents) {
  const std::string tmp = tempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::error(path + ": cannot write (cannot create " + tmp + ": " + std::strerror(errno) + ")");
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      std::remove(tmp.c_str());
      return Status::error(path + ": write failed (" + why + ")");
    }
    p += n;
    left -= size_t(n);
  }
  if (::fsync(fd) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot sync the written file to disk (" + why + ")");
  }
  if (::close(fd) != 0) {
    std::remove(tmp.c_str());
    return Status::error(path + ": write failed on close");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot replace file (" + why + ")");
  }
  syncDirectory(parentOf(path));
  return {};
}

int removeStaleTempFiles(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find(".tmp-") == std::string::npos) continue;
    if (fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace nc::core
