// Data fuzz (issue 10, "Make it hard to bring back"): a seeded, deterministic corpus of mutated
// data files in every format (IDX raw and gzip, CIFAR-10 binary, CSV, image folders with PNG and
// JPEG, text), run in-process through loadDataset. Each case must end in a clear error naming
// the file (or its folder) or in a dataset that is valid: no crash, no hang, no exception, and no
// allocation beyond a bound (the address space is limited while the corpus runs, and every read
// limit is lowered so that gzip bombs must be stopped by the readers).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <functional>
#include <random>

#include "ReaderTestUtil.h"
#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetInfo.h"
#include "core/data/ReadUtil.h"

#if defined(__SANITIZE_ADDRESS__)
#define NC_FUZZ_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NC_FUZZ_UNDER_ASAN 1
#endif
#endif

namespace nc::test::readers::data_fuzz_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

// ---- Bounds

/// Caps the address space at what the process uses now plus `headroom` while alive, so an
/// allocation a reader should never make fails (as "not enough memory") instead of succeeding.
/// Off under AddressSanitizer, whose shadow memory needs terabytes of address space.
class ScopedAddressSpaceLimit {
 public:
  explicit ScopedAddressSpaceLimit(uint64_t headroom) {
#ifndef NC_FUZZ_UNDER_ASAN
    std::ifstream status("/proc/self/status");
    uint64_t used = 0;
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmSize:", 0) == 0) used = std::stoull(line.substr(7)) * 1024;
    if (used == 0 || getrlimit(RLIMIT_AS, &m_previous) != 0) return;
    rlimit limit = m_previous;
    limit.rlim_cur = rlim_t(used + headroom);
    if (m_previous.rlim_cur != RLIM_INFINITY && m_previous.rlim_cur < limit.rlim_cur) return;
    m_active = setrlimit(RLIMIT_AS, &limit) == 0;
#else
    (void)headroom;
#endif
  }
  ~ScopedAddressSpaceLimit() {
    if (m_active) setrlimit(RLIMIT_AS, &m_previous);
  }
  bool active() const { return m_active; }

 private:
  rlimit m_previous{};
  bool m_active = false;
};

constexpr uint64_t kFuzzReadLimit = 4u << 20;  // every reader stops at 4 MiB while fuzzing

// ---- Mutations

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : m_rng(seed) {}

  size_t below(size_t n) { return n == 0 ? 0 : size_t(m_rng() % n); }
  bool chance(int percent) { return int(below(100)) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

  void truncate(ByteVector& b) { b.resize(below(b.size() + 1)); }
  void flip(ByteVector& b, size_t count) {
    for (size_t i = 0; i < count && !b.empty(); ++i) {
      size_t at = below(b.size());
      if (chance(50)) b[at] ^= uint8_t(1u << below(8));
      else b[at] = uint8_t(m_rng());
    }
  }
  void setBigEndian32(ByteVector& b, size_t offset, uint32_t value) {
    for (size_t i = 0; i < 4 && offset + i < b.size(); ++i) b[offset + i] = uint8_t(value >> (24 - 8 * i));
  }
  uint32_t extreme() {
    static const std::vector<uint32_t> values = {0,          1,          2,          255,        256,       65535,
                                                 65536,      1u << 24,   0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE,
                                                 1u << 31 | 1, 46341,   1u << 16 | 1, 100000};
    return chance(80) ? pick(values) : uint32_t(m_rng());
  }
  void insertGarbage(ByteVector& b) {
    size_t at = below(b.size() + 1), n = 1 + below(64);
    ByteVector junk(n);
    for (uint8_t& x : junk) x = uint8_t(m_rng());
    b.insert(b.begin() + long(at), junk.begin(), junk.end());
  }
  void duplicateSlice(ByteVector& b) {
    if (b.empty()) return;
    size_t from = below(b.size()), n = 1 + below(b.size() - from);
    ByteVector slice(b.begin() + long(from), b.begin() + long(from + n));
    b.insert(b.begin() + long(below(b.size() + 1)), slice.begin(), slice.end());
  }
  ByteVector randomBytes(size_t n) {
    ByteVector b(n);
    for (uint8_t& x : b) x = uint8_t(m_rng());
    return b;
  }
  /// One of the generic mutations.
  void mutate(ByteVector& b) {
    switch (below(6)) {
      case 0: truncate(b); break;
      case 1: flip(b, 1 + below(8)); break;
      case 2: flip(b, 1); break;
      case 3: insertGarbage(b); break;
      case 4: duplicateSlice(b); break;
      default: b.resize(b.size() + 1 + below(100), uint8_t(m_rng())); break;
    }
  }

 private:
  std::mt19937_64 m_rng;
};

/// gzip-compressed bytes (in memory, so the compressed stream itself can be mutated).
ByteVector gzipOf(const ByteVector& raw, size_t zerosAfter = 0) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  ByteVector out;
  ByteVector buffer(1 << 16);
  auto pump = [&](const ByteVector& in, int flush) {
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = uInt(in.size());
    do {
      z.next_out = buffer.data();
      z.avail_out = uInt(buffer.size());
      deflate(&z, flush);
      out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - z.avail_out));
    } while (z.avail_out == 0);
  };
  pump(raw, Z_NO_FLUSH);
  ByteVector zeros(1 << 20);
  for (size_t done = 0; done < zerosAfter; done += zeros.size()) pump(zeros, Z_NO_FLUSH);
  pump({}, Z_FINISH);
  deflateEnd(&z);
  return out;
}

/// A small baseline JPEG (8 x 6, RGB), as produced by a common encoder.
const ByteVector kJpeg = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e, 0x12, 0x11, 0x10,
    0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33,
    0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67,
    0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11,
    0x12, 0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x06, 0x00, 0x08,
    0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xc4, 0x00, 0x18, 0x10,
    0x01, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x03,
    0x21, 0x31, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xff, 0xc4, 0x00, 0x1c, 0x11, 0x00, 0x01, 0x03, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x04, 0x03, 0x11, 0x13, 0x22, 0x31, 0xff,
    0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x8c, 0xd8, 0x38, 0x75, 0xc0, 0x13,
    0x13, 0x2b, 0x75, 0x28, 0x52, 0x2a, 0xe2, 0x6d, 0x97, 0xff, 0xd9};

// ---- Outcome checks

struct Tally {
  int cases = 0, errors = 0, valid = 0;
  double slowestSeconds = 0;
  std::string slowestCase;
};

void expectValidSplit(const Dataset& d, const torch::Tensor& inputs, const torch::Tensor& targets,
                      const std::string& label) {
  ASSERT_TRUE(inputs.defined()) << label;
  ASSERT_TRUE(targets.defined()) << label;
  ASSERT_GE(inputs.size(0), 1) << label;
  ASSERT_EQ(targets.size(0), inputs.size(0)) << label;
  EXPECT_EQ(inputs.sizes().slice(1).vec(), d.sampleShape.dims) << label;
  EXPECT_GE(targets.min().item<int64_t>(), 0) << label;
  EXPECT_LT(targets.max().item<int64_t>(), d.numClasses()) << label;
  if (inputs.is_floating_point()) EXPECT_TRUE(torch::isfinite(inputs).all().item<bool>()) << label;
}

/// A clear error naming the file or folder (all files of a case live under `where`), or a
/// dataset whose every part is consistent.
void checkOutcome(const DatasetLoad& load, const std::string& where, const std::string& label, Tally& tally) {
  ++tally.cases;
  if (!load.ok()) {
    ++tally.errors;
    EXPECT_FALSE(load.error.empty()) << label;
    EXPECT_NE(load.error.find(where), std::string::npos) << label << ": the error does not name the file: " << load.error;
    EXPECT_TRUE(isValidUtf8(load.error)) << label << ": " << load.error;
    for (unsigned char c : load.error) EXPECT_GE(c, 0x20) << label << ": control byte in: " << load.error;
    EXPECT_EQ(load.error.find("not enough memory"), std::string::npos) << label << ": unbounded allocation: " << load.error;
    EXPECT_EQ(load.error.find("bad_alloc"), std::string::npos) << label << ": unbounded allocation: " << load.error;
    EXPECT_LT(load.error.size(), 2000u) << label << ": " << load.error;
    return;
  }
  ++tally.valid;
  const Dataset& d = *load.dataset;
  ASSERT_GE(d.numClasses(), 1) << label;
  for (const std::string& name : d.classNames) EXPECT_TRUE(isValidUtf8(name)) << label;
  EXPECT_TRUE(isValidUtf8(d.description)) << label;
  if (d.task == Task::NextToken) {
    ASSERT_TRUE(d.trainInputs.defined()) << label;
    EXPECT_EQ(d.trainInputs.sizes(), d.trainTargets.sizes()) << label;
    EXPECT_GE(d.trainInputs.min().item<int64_t>(), 0) << label;
    EXPECT_LT(d.trainInputs.max().item<int64_t>(), d.numClasses()) << label;
    return;
  }
  expectValidSplit(d, d.trainInputs, d.trainTargets, label);
  if (d.testInputs.defined()) expectValidSplit(d, d.testInputs, d.testTargets, label + " (test)");
}

/// Runs one case: clears the case folder, writes its files, loads, checks, times.
void runCase(const fs::path& folder, const std::string& label, const std::function<DataConfig()>& write, Tally& tally) {
  std::error_code ec;
  fs::remove_all(folder, ec);
  fs::create_directories(folder);
  DataConfig config = write();
  auto start = std::chrono::steady_clock::now();
  DatasetLoad load;
  try {
    load = loadDataset(config);
  } catch (...) {
    ADD_FAILURE() << label << ": an exception escaped loadDataset";
    return;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (seconds > tally.slowestSeconds) {
    tally.slowestSeconds = seconds;
    tally.slowestCase = label;
  }
  EXPECT_LT(seconds, 10.0) << label << " took too long (a hang?)";
  checkOutcome(load, folder.string(), label, tally);
  // The editor's cheap peek reads the same damaged files: it never throws, and where both the
  // peek and the full load succeed they agree on the sample shape.
  clearDatasetInfoCache();
  DatasetInfo info;
  try {
    info = peekDataset(config);
  } catch (...) {
    ADD_FAILURE() << label << ": an exception escaped peekDataset";
    return;
  }
  if (load.ok() && info.ok) EXPECT_EQ(info.sampleShape, load.dataset->sampleShape.dims) << label;
}

void writeFile(const fs::path& file, const ByteVector& bytes) { writeBytes(file, bytes); }

// ---- Corpus, per format

void fuzzIdx(Mutator& m, const fs::path& root, int count, Tally& tally) {
  const std::vector<std::string> names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                          "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < count; ++i) {
    fs::path dir = root / ("idx-" + std::to_string(i));
    runCase(dir, "idx case " + std::to_string(i), [&] {
      std::vector<ByteVector> files = {idxImages(6, 4, 4), idxLabels({0, 1, 2, 3, 9, 4}), idxImages(3, 4, 4),
                                       idxLabels({5, 6, 7})};
      size_t target = m.below(4);
      int kind = int(m.below(6));
      if (kind == 0) m.mutate(files[target]);
      else if (kind == 1) m.setBigEndian32(files[target], 4 + 4 * m.below(target % 2 == 0 ? 3 : 1), m.extreme());
      else if (kind == 2) m.setBigEndian32(files[target], 0, m.chance(50) ? m.extreme() : (target % 2 ? 2051 : 2049));
      else if (kind == 3) {
        m.flip(files[target], 1 + m.below(3));
        m.mutate(files[(target + 1) % 4]);
      } else if (kind == 4) {
        files[target].resize(files[target].size() - m.below(3));  // off by a little
      }
      bool gzip = m.chance(50);
      for (size_t f = 0; f < files.size(); ++f) {
        if (kind == 5 && f == target) {  // gzip bomb: small header, then megabytes of zeros
          ByteVector bomb = gzipOf(files[f], (1 + m.below(12)) << 20);
          writeFile(dir / (names[f] + ".gz"), bomb);
          continue;
        }
        if (!gzip) {
          writeFile(dir / names[f], files[f]);
          continue;
        }
        ByteVector packed = gzipOf(files[f]);
        if (f == target && m.chance(40)) m.mutate(packed);  // a damaged compressed stream
        writeFile(dir / (names[f] + ".gz"), packed);
      }
      if (m.chance(5)) fs::remove(dir / (names[m.below(4)] + (gzip ? ".gz" : "")));
      DataConfig c;
      c.kind = "idx";
      c.path = dir.string();
      return c;
    }, tally);
  }
}

ByteVector cifarRecords(size_t n, uint8_t maxLabel) {
  ByteVector b;
  for (size_t r = 0; r < n; ++r) {
    b.push_back(uint8_t(r % (size_t(maxLabel) + 1)));
    for (size_t k = 0; k < 3072; ++k) b.push_back(uint8_t(r * 7 + k));
  }
  return b;
}

void fuzzCifar(Mutator& m, const fs::path& root, int count, Tally& tally) {
  for (int i = 0; i < count; ++i) {
    fs::path dir = root / ("cifar-" + std::to_string(i));
    runCase(dir, "cifar case " + std::to_string(i), [&] {
      ByteVector train = cifarRecords(3, 9), test = cifarRecords(2, 9);
      std::string meta = "plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
      switch (m.below(7)) {
        case 0: m.mutate(train); break;
        case 1: m.mutate(test); break;
        case 2: train[3073 * m.below(3)] = uint8_t(m.extreme()); break;  // a label out of range
        case 3: {
          ByteVector metaBytes(meta.begin(), meta.end());
          m.mutate(metaBytes);
          if (m.chance(30)) metaBytes = m.randomBytes(m.below(4000));
          meta.assign(metaBytes.begin(), metaBytes.end());
          break;
        }
        case 4:
          meta.clear();
          for (size_t k = 0; k < 200 + m.below(200); ++k) meta += "c" + std::to_string(k) + "\xE9\n";
          break;
        case 5: train = gzipOf({}, (1 + m.below(12)) << 20); break;  // zeros: a bomb or a multiple of nothing
        default: train.clear(); break;
      }
      writeFile(dir / "data_batch_1.bin", train);
      if (m.chance(80)) writeFile(dir / "test_batch.bin", test);
      if (m.chance(70)) writeText(dir / "batches.meta.txt", meta);
      DataConfig c;
      c.kind = "cifar10";
      c.path = dir.string();
      return c;
    }, tally);
  }
}

void fuzzCsv(Mutator& m, const fs::path& root, int count, Tally& tally) {
  const std::vector<std::string> oddValues = {"1e39", "-1e39", "1e400", "nan", "inf", "-inf", "1e-50", "0x10",
                                              "", "\"\"", "3.4e38", "1,5", "\xFF\xFE", "+1", "--1", "1e308"};
  for (int i = 0; i < count; ++i) {
    fs::path dir = root / ("csv-" + std::to_string(i));
    runCase(dir, "csv case " + std::to_string(i), [&] {
      std::vector<std::vector<std::string>> rows = {{"width", "height", "label"}};
      for (int r = 0; r < 8; ++r) rows.push_back({std::to_string(r * 0.5), std::to_string(r - 3), r % 3 ? "cat" : "dog"});
      int kind = int(m.below(8));
      if (kind == 0) rows[1 + m.below(8)][m.below(2)] = m.pick(oddValues);
      if (kind == 1) rows[1 + m.below(8)][2] = m.chance(50) ? "caf\xE9" : "\x01\x02\x7F";
      if (kind == 2) rows[1 + m.below(8)].push_back("extra");
      std::string text = kind == 3 ? "\xEF\xBB\xBF" : "";
      char sep = m.chance(80) ? ',' : m.pick(std::vector<char>{';', '\t'});
      for (const auto& row : rows) {
        for (size_t c = 0; c < row.size(); ++c) text += (c ? std::string(1, sep) : "") + row[c];
        text += m.chance(10) ? "\r\n" : "\n";
      }
      ByteVector bytes(text.begin(), text.end());
      if (kind == 4) m.mutate(bytes);
      if (kind == 5) bytes = m.randomBytes(m.below(2000));
      if (kind == 6) bytes = m.chance(50) ? gzipOf(bytes) : gzipOf(ByteVector{'a', ','}, (1 + m.below(12)) << 20);
      if (kind == 7 && m.chance(10)) bytes = ByteVector(readutil::kMaxCsvColumns + 10, uint8_t(sep));
      writeFile(dir / "data.csv", bytes);
      DataConfig c;
      c.kind = "csv";
      c.path = (dir / "data.csv").string();
      c.labelColumn = m.chance(85) ? "label" : m.pick(std::vector<std::string>{"2", "0", "7", "99999999999999999999", "x"});
      return c;
    }, tally);
  }
}

/// Patches a PNG's IHDR width/height, with a correct CRC or not.
void patchPngSize(Mutator& m, ByteVector& png) {
  m.setBigEndian32(png, 16, m.extreme());
  m.setBigEndian32(png, 20, m.extreme());
  if (m.chance(70)) m.setBigEndian32(png, 29, uint32_t(crc32(0, png.data() + 12, 17)));
}

/// Patches a JPEG's frame size (SOF0: height then width, 16 bits each).
void patchJpegSize(Mutator& m, ByteVector& jpeg) {
  for (size_t i = 0; i + 8 < jpeg.size(); ++i)
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc0) {
      uint32_t h = m.extreme(), w = m.extreme();
      jpeg[i + 5] = uint8_t(h >> 8);
      jpeg[i + 6] = uint8_t(h);
      jpeg[i + 7] = uint8_t(w >> 8);
      jpeg[i + 8] = uint8_t(w);
      return;
    }
}

void fuzzImages(Mutator& m, const fs::path& root, int count, Tally& tally) {
  for (int i = 0; i < count; ++i) {
    fs::path dir = root / ("images-" + std::to_string(i));
    runCase(dir, "image-folder case " + std::to_string(i), [&] {
      std::vector<std::pair<fs::path, ByteVector>> files = {
          {dir / "ant" / "a.png", solidPng(4, 4, {10, 20, 30})},
          {dir / "ant" / "b.jpg", kJpeg},
          {dir / "bee" / "c.png", solidPng(5, 3, {200})},
          {dir / "bee" / "d.jpeg", kJpeg},
      };
      auto& [path, bytes] = files[m.below(files.size())];
      bool png = path.extension() == ".png";
      switch (m.below(6)) {
        case 0: m.truncate(bytes); break;
        case 1: m.flip(bytes, 1 + m.below(6)); break;
        case 2: png ? patchPngSize(m, bytes) : patchJpegSize(m, bytes); break;
        case 3: m.mutate(bytes); break;
        case 4: bytes = m.randomBytes(m.below(500)); break;
        default: bytes = gzipOf(bytes, m.chance(50) ? (2 << 20) : 0); break;  // not an image format
      }
      for (const auto& [p, b] : files) writeFile(p, b);
      if (m.chance(10)) writeFile(dir / "caf\xE9" / "e.png", solidPng(2, 2, {1, 2, 3}));
      if (m.chance(5)) fs::create_directories(dir / "empty-class");
      DataConfig c;
      c.kind = "image-folder";
      c.path = dir.string();
      c.channels = m.chance(50) ? 1 : 3;
      c.imageSize = {int64_t(1 + m.below(12)), int64_t(1 + m.below(12))};
      return c;
    }, tally);
  }
}

void fuzzText(Mutator& m, const fs::path& root, int count, Tally& tally) {
  std::string base;
  for (int r = 0; r < 20; ++r) base += "le caf\xC3\xA9 est tr\xC3\xA8s bon. ";
  for (int i = 0; i < count; ++i) {
    fs::path dir = root / ("text-" + std::to_string(i));
    runCase(dir, "text case " + std::to_string(i), [&] {
      ByteVector bytes(base.begin(), base.end());
      switch (m.below(5)) {
        case 0: m.mutate(bytes); break;
        case 1: bytes = m.randomBytes(m.below(3000)); break;
        case 2: bytes = gzipOf(bytes); break;
        case 3: bytes = gzipOf(ByteVector{'x'}, (1 + m.below(12)) << 20); break;  // a bomb, mostly past the limit
        default: m.truncate(bytes); break;
      }
      writeFile(dir / "story.txt", bytes);
      DataConfig c;
      c.kind = "text";
      c.path = (dir / "story.txt").string();
      c.sequenceLength = int64_t(2 + m.below(100));
      return c;
    }, tally);
  }
}

TEST(DataFuzz, MutatedDataFilesEndInAClearErrorNamingTheFileOrAValidDataset) {
  TempDir root("fuzz");
  Mutator m(0x5eed2026);
  Tally tally;
  std::string perFormat;
  auto start = std::chrono::steady_clock::now();
  {
    readutil::ScopedReadLimit readLimit(kFuzzReadLimit);
    ScopedAddressSpaceLimit memory(uint64_t(2) << 30);  // no case may allocate gigabytes
    auto timed = [&](const char* name, auto&& fuzz, int count) {
      auto begin = std::chrono::steady_clock::now();
      fuzz(m, root.path(), count, tally);
      perFormat += std::string(perFormat.empty() ? "" : ", ") + name + " " +
                   std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count()).substr(0, 4) + " s";
    };
    timed("idx", fuzzIdx, 100);
    timed("cifar10", fuzzCifar, 50);
    timed("csv", fuzzCsv, 70);
    timed("image-folder", fuzzImages, 60);
    timed("text", fuzzText, 40);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(tally.cases, 300);
  EXPECT_GT(tally.errors, 100) << "the corpus must reach the error paths";
  EXPECT_GT(tally.valid, 10) << "and some mutations must still be valid data";
  EXPECT_LT(seconds, 60.0);
  std::cout << "[ data fuzz ] " << tally.cases << " cases: " << tally.errors << " errors, " << tally.valid
            << " valid datasets, " << seconds << " s (slowest: " << tally.slowestCase << ", " << tally.slowestSeconds
            << " s; " << perFormat << ")\n";
}

}  // namespace
}  // namespace nc::test::readers::data_fuzz_test
