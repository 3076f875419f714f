// Shared helpers: durable writes, JSON that survives any bytes, SHA-256.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/FileIO.h"
#include "core/JsonUtil.h"
#include "core/Sha256.h"

namespace nc::core {
namespace {

namespace fs = std::filesystem;

TEST(Sha256, MatchesKnownDigests) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(sha256Hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(JsonUtil, ToUtf8KeepsValidTextAndReadsStrayBytesAsLatin1) {
  EXPECT_EQ(toUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(toUtf8("caf\xE9"), "caf\xC3\xA9");
  EXPECT_TRUE(isValidUtf8(toUtf8(std::string("\xFF\xFE\x80\xC3", 4))));
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));  // a UTF-16 surrogate
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));      // overlong
}

TEST(JsonUtil, DumpNeverThrowsOnInvalidUtf8) {
  nlohmann::json j = {{"label", std::string("tr\xE8s")}};
  std::string text;
  ASSERT_NO_THROW(text = dumpJson(j));
  EXPECT_TRUE(parseJson(text).ok());
}

TEST(JsonUtil, ParseRejectsDeepNestingAndHugeNumbersWithoutThrowing) {
  std::string deep(100000, '[');
  JsonParse p = parseJson(deep + std::string(100000, ']'));
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.error.find("nested"), std::string::npos) << p.error;
  EXPECT_FALSE(parseJson("{\"a\": 1e400}").ok());
  EXPECT_FALSE(parseJson("[" + std::string(100000, '9') + "]").ok());
  EXPECT_FALSE(parseJson("{\"a\": ").ok());
  EXPECT_TRUE(parseJson("{\"a\": [[[1]]]}").ok());
}

TEST(JsonUtil, DescribeIsShortForLongStringsAndContainers) {
  EXPECT_EQ(describeJson(nlohmann::json::array({1, 2, 3})), "a list of 3 items");
  std::string d = describeJson(nlohmann::json(std::string(5000, 'x')));
  EXPECT_LT(d.size(), 100u);
  EXPECT_NE(d.find("5000 bytes"), std::string::npos);
}

TEST(FileIO, WriteFileAtomicReplacesContentsAndLeavesNoTempFiles) {
  fs::path dir = fs::temp_directory_path() / ("nc-fileio-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "a.json").string();
  ASSERT_TRUE(writeFileAtomic(path, "first").ok());
  ASSERT_TRUE(writeFileAtomic(path, "second").ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "second");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) { (void)e; ++files; }
  EXPECT_EQ(files, 1);
  std::ofstream(dir / "b.pt.tmp-123-0") << "junk";
  EXPECT_EQ(removeStaleTempFiles(dir.string()), 1);
  Status s = writeFileAtomic((dir / "missing" / "x.json").string(), "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("x.json"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nc::core
