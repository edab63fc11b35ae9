// Outputs by kind (support/output_path.h): support's writers, and the artifact writer that
// patches its header after the weights, against a device, a FIFO, a symbolic link and a
// read-only folder; standard output and a shell's redirection; what a stream is never given.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_seal.h"
#include "support/dump_folder.h"
#include "support/error.h"
#include "support/output_path.h"
#include "support/pending_file.h"
#include "tests/runtime/output_kinds.h"

namespace lmc::runtime {
namespace {

using testing::expect_fifo_output;
using testing::FifoReader;
using testing::file_text;
using testing::kind_of;
using testing::TempDir;

const std::string kText = "graph @g() -> () {\n}\n";

void write_text(const std::string& path) { write_output(path, kText); }
void expect_text(const std::string& bytes) { EXPECT_EQ(bytes, kText); }
LMC_OUTPUT_KIND_TESTS(WriteOutput, write_text, expect_text)

// A writer that patches what it wrote: the bytes a stream gets are the patched ones.
void write_patched(const std::string& path) {
  PendingFile f(path);
  f.write("hello ");
  f.write("world");
  f.pwrite("J", 0);
  EXPECT_EQ(f.pread(6, 5), "world");
  f.commit();
}
void expect_patched(const std::string& bytes) { EXPECT_EQ(bytes, "Jello world"); }
LMC_OUTPUT_KIND_TESTS(PatchedPendingFile, write_patched, expect_patched)

// An artifact with a weight larger than a pipe holds: its header, sealed last, is written
// over the start of the file after the weights went by.
const ArtifactKey kKey{std::string(32, 'k'), "test key"};
const std::vector<float> kWeight(100000, 0.25f);

void write_artifact(const std::string& path) {
  ArtifactWriter w(path, kKey);
  w.add_section("ir", kText);
  w.add_weight("w", ir::DType::f32, {100000}, {reinterpret_cast<const char*>(kWeight.data()), kWeight.size() * 4});
  ArtifactManifest m;
  m.model = "tiny";
  m.info.name = "tiny";
  m.info.context = 256;
  m.info.step_tokens = 64;
  w.finish(m);
}
void expect_artifact(const std::string& bytes) {
  TempDir dir;
  const std::string copy = dir.file("copy.lmc");
  {
    std::ofstream(copy, std::ios::binary) << bytes;
  }
  try {
    auto a = Artifact::open(copy);
    EXPECT_TRUE(sealed_with(*a, kKey));
    EXPECT_NO_THROW(a->verify_weights());
    EXPECT_EQ(a->section("ir"), kText);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
}
LMC_OUTPUT_KIND_TESTS(ArtifactWriterOutput, write_artifact, expect_artifact)

// A writer that fails before commit() gives a stream nothing: its bytes were only staged.
TEST(StreamOutput, AnUncommittedOutputWritesNothing) {
  std::string bytes = expect_fifo_output([](const std::string& path) {
    PendingFile f(path);
    f.write("half an artifact");
  });
  EXPECT_EQ(bytes, "");
}

// "-", /dev/stdout and /dev/fd/1 are this process's standard output, whatever it is open
// on: a shell's `>> log` keeps its file (same inode) and gets the bytes after what it held.
TEST(StreamOutput, StandardOutputIsWrittenWhereItPoints) {
  TempDir dir;
  const std::string log = dir.file("log");
  {
    std::ofstream(log) << "before\n";
  }
  struct stat before{};
  ::stat(log.c_str(), &before);
  int saved = ::dup(1);
  int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::fflush(stdout);
  ::dup2(fd, 1);
  ::close(fd);
  for (const char* path : {"-", "/dev/stdout", "/dev/fd/1"}) {
    try {
      write_output(path, std::string(path) + "\n");
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  ::dup2(saved, 1);
  ::close(saved);
  struct stat after{};
  ::stat(log.c_str(), &after);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(file_text(log), "before\n-\n/dev/stdout\n/dev/fd/1\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(StreamOutput, ClassifiedByWhatThePathNames) {
  TempDir dir;
  EXPECT_EQ(classify_output("-").kind, OutputPath::Kind::Stream);
  EXPECT_EQ(classify_output("-").descriptor, 1);
  EXPECT_EQ(classify_output("/dev/stderr").descriptor, 2);
  EXPECT_EQ(classify_output("/proc/self/fd/7").descriptor, 7);
  EXPECT_EQ(classify_output("/dev/null").kind, OutputPath::Kind::Stream);
  EXPECT_EQ(classify_output(dir.file("new")).kind, OutputPath::Kind::File);
  EXPECT_EQ(classify_output(dir.path().string()).kind, OutputPath::Kind::Directory);
  // A link to nothing yet names the file to make, in the link's folder.
  std::filesystem::create_symlink("made", dir.file("dangling"));
  OutputPath dangling = classify_output(dir.file("dangling"));
  EXPECT_EQ(dangling.kind, OutputPath::Kind::File);
  EXPECT_EQ(dangling.file, dir.file("made"));
  std::filesystem::create_symlink("loop", dir.file("loop"));
  EXPECT_THROW(classify_output(dir.file("loop")), Error);
}

TEST(StreamOutput, ADanglingLinkGetsItsTargetMade) {
  TempDir dir;
  std::filesystem::create_symlink("made", dir.file("link"));
  write_output(dir.file("link"), kText);
  EXPECT_EQ(kind_of(dir.file("link")), S_IFLNK);
  EXPECT_EQ(file_text(dir.file("made")), kText);
}

TEST(StreamOutput, ALinkToAFolderIsRefusedByTheLinksName) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "folder");
  std::filesystem::create_symlink("folder", dir.file("link"));
  try {
    write_output(dir.file("link"), kText);
    FAIL() << "writing over a folder through a link was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("link") + ": error: cannot write: it is a directory");
  }
}

// A device that refuses the bytes (/dev/full) is an error naming the path given, as a full
// disk is.
TEST(StreamOutput, ADeviceThatRefusesIsAnErrorByName) {
  if (kind_of("/dev/full") != S_IFCHR) GTEST_SKIP() << "no /dev/full here";
  try {
    write_output("/dev/full", kText);
    FAIL() << "/dev/full took the bytes";
  } catch (const NoSpaceLeft& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: error: cannot write: No space left on device");
  }
  EXPECT_EQ(kind_of("/dev/full"), S_IFCHR);
}

// The first file made wins (the artifact key): a later commit_new() leaves it.
TEST(PendingFileCommitNew, TheFirstFileStays) {
  TempDir dir;
  const std::string path = dir.file("key");
  PendingFile first(path, 0600), second(path, 0600);
  first.write("first");
  second.write("second");
  EXPECT_TRUE(first.commit_new());
  EXPECT_FALSE(second.commit_new());
  EXPECT_EQ(file_text(path), "first");
  struct stat st{};
  ::stat(path.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(dir.entries(), 1u);
}

// A dump folder: into a folder, one file each; into a stream, one after another, the
// stream opened once (a FIFO's reader sees one stream, not an end after each file).
void write_dumps(const std::string& path) {
  DumpFolder d(path);
  d.write("a.ll", "; a\n");
  d.write("b.ll", "; b\n");
}

TEST(DumpFolderOutput, IntoAFifoOneAfterAnother) { EXPECT_EQ(expect_fifo_output(write_dumps), "; a\n; b\n"); }

TEST(DumpFolderOutput, IntoACharacterDevice) { testing::expect_device_output(write_dumps); }

TEST(DumpFolderOutput, IntoAFolderALinkNames) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "real");
  std::filesystem::create_symlink("real", dir.file("link"));
  write_dumps(dir.file("link"));
  EXPECT_EQ(kind_of(dir.file("link")), S_IFLNK);
  EXPECT_EQ(file_text(dir.file("real/a.ll")), "; a\n");
  EXPECT_EQ(file_text(dir.file("real/b.ll")), "; b\n");
}

TEST(DumpFolderOutput, MadeWhenMissingAndAFileIsRefused) {
  TempDir dir;
  write_dumps(dir.file("new/dumps"));
  EXPECT_EQ(file_text(dir.file("new/dumps/b.ll")), "; b\n");
  {
    std::ofstream(dir.file("file")) << "x";
  }
  try {
    write_dumps(dir.file("file"));
    FAIL() << "a file was taken for a dump folder";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("file") + ": error: cannot write dumps: it is a file, not a folder");
  }
}

TEST(DumpFolderOutput, AReadOnlyFolderFailsByName) { testing::expect_read_only_refusal(write_dumps); }

}  // namespace
}  // namespace lmc::runtime
