// The kernels' object linked by LLVM ORC in the loader module (codegen/kernel_library.h).
// Whole graphs run through it in the executor tests; here: what codegen writes loads,
// including calls to the outside functions, and every malformed object is an error naming
// it, never a crash (the sanitizer build runs these too).
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <string>

#include "codegen/kernel_library.h"
#include "ir/graph.h"
#include "runtime/kernel_table.h"
#include "support/error.h"
#include "tests/runtime/test_graphs.h"

namespace lmc::runtime::testing {
namespace {

const char* kWhere = "test.lmc:kernels";

struct Compiled {
  std::string object;
  std::vector<codegen::KernelEntry> kernels;
};

// The branchy graph's kernels: linears, elementwise rows, an embedding and tail_rows,
// whose row copies LLVM lowers to calls to memcpy.
Compiled branchy_object() {
  ir::Graph g("branchy");
  RandomWeights w(1);
  build_branchy_graph(g, w, 40, 32);
  codegen::KernelCompiler compiler;
  add_graph_kernels(compiler, g, "test graph");
  Compiled c;
  c.kernels = compiler.kernels();
  c.object = compiler.compile();
  return c;
}

const Compiled& object() {
  static const Compiled c = branchy_object();
  return c;
}

std::string load_error(const std::string& bytes) {
  try {
    codegen::KernelLibrary::load(bytes, kWhere);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(KernelLibrary, LoadsEveryKernelCodegenWrites) {
  auto lib = codegen::KernelLibrary::load(object().object, kWhere);
  KernelTable table = build_kernel_table(*lib, object().kernels);
  EXPECT_EQ(table.entries.size(), object().kernels.size());
  for (const auto& [key, e] : table.entries) EXPECT_NE(e.fn, nullptr) << key;
  EXPECT_NE(object().object.find(std::string("memcpy\0", 7)), std::string::npos)
      << "the graph no longer calls memcpy; pick one that does";
}

TEST(KernelLibrary, MissingKernelIsAnErrorNamingTheObject) {
  auto lib = codegen::KernelLibrary::load(object().object, kWhere);
  try {
    lib->lookup("no_such_kernel");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kWhere), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_kernel"), std::string::npos) << e.what();
  }
}

TEST(KernelLibrary, TruncatedObjectsAreErrors) {
  const std::string& full = object().object;
  for (size_t n = 0; n < full.size(); n += n < 256 ? 1 : 97) {
    std::string why = load_error(full.substr(0, n));
    EXPECT_NE(why.find(kWhere), std::string::npos) << "length " << n << ": " << why;
  }
}

TEST(KernelLibrary, OtherFilesAreRefusedByName) {
  for (const std::string& other : {std::string(), std::string(100, 'x')}) {
    std::string why = load_error(other);
    EXPECT_NE(why.find(std::string(kWhere) + ": error: cannot link the kernel object"), std::string::npos) << why;
  }
  std::string arm = object().object;
  uint16_t machine = EM_AARCH64;
  std::memcpy(arm.data() + offsetof(Elf64_Ehdr, e_machine), &machine, 2);
  EXPECT_NE(load_error(arm).find("not for x86-64"), std::string::npos);
  std::string shared = object().object;
  uint16_t type = ET_DYN;
  std::memcpy(shared.data() + offsetof(Elf64_Ehdr, e_type), &type, 2);
  EXPECT_NE(load_error(shared).find("not an ELF relocatable object"), std::string::npos);
}

TEST(KernelLibrary, OutsideFunctionsAreOnlyLibcCopies) {
  std::string bytes = object().object;
  size_t at = bytes.find(std::string("memcpy\0", 7));
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 6, "system");
  std::string why = load_error(bytes);
  EXPECT_NE(why.find("system"), std::string::npos) << why;
  EXPECT_NE(why.find(kWhere), std::string::npos) << why;
}

// Every byte of the ELF header and the section table set to values that break sizes,
// offsets and indices: each load either succeeds or is an error, never a crash.
TEST(KernelLibrary, CorruptTablesAreErrorsNotCrashes) {
  const std::string& full = object().object;
  Elf64_Ehdr eh;
  std::memcpy(&eh, full.data(), sizeof eh);
  size_t table_end = eh.e_shoff + size_t{eh.e_shnum} * sizeof(Elf64_Shdr);
  ASSERT_LE(table_end, full.size());
  auto corrupt_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      for (uint8_t v : {uint8_t{0x00}, uint8_t{0x7f}, uint8_t{0xff}}) {
        std::string bytes = full;
        bytes[i] = static_cast<char>(v);
        std::string why = load_error(bytes);
        if (!why.empty()) {
          EXPECT_NE(why.find(kWhere), std::string::npos) << why;
        }
      }
  };
  corrupt_range(0, sizeof(Elf64_Ehdr));
  corrupt_range(eh.e_shoff, table_end);
  // The first symbols, the null one too (a section index past the table there once read
  // past lmc's own loader's section flags: found by fuzz_kernel_object).
  for (uint16_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, full.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (sh.sh_type == SHT_SYMTAB) corrupt_range(sh.sh_offset, sh.sh_offset + 4 * sizeof(Elf64_Sym));
  }
}

}  // namespace
}  // namespace lmc::runtime::testing
