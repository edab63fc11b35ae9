#include "runtime/kernel_object.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "codegen/target.h"
#include "ir/error.h"

namespace lmc::runtime {

namespace {

// The functions generated code may call: LLVM lowers its memcpy/memset intrinsics to
// these libc calls. Nothing else outside the object is reachable from a kernel.
struct Outside {
  const char* name;
  const void* address;
};
const Outside kOutside[] = {
    {"memcpy", reinterpret_cast<const void*>(&std::memcpy)},
    {"memset", reinterpret_cast<const void*>(&std::memset)},
    {"memmove", reinterpret_cast<const void*>(&std::memmove)},
};

constexpr size_t kStubBytes = 16;  // jmp *0(%rip); .quad address; padding
constexpr size_t kSlotBytes = 8;   // one GOT entry

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

// The object's bytes with bounds-checked reads: every struct is copied out, so an
// unaligned or truncated buffer is an error, never a stray read.
class ElfFile {
 public:
  ElfFile(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& what) const { throw error_at(where_, what); }

  template <class T>
  T read(uint64_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T))
      fail("the object is truncated (a record at byte " + std::to_string(offset) + " runs past its end)");
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }

  std::string_view range(uint64_t offset, uint64_t size, const std::string& what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < size)
      fail(what + " runs past the end of the object");
    return bytes_.substr(offset, size);
  }

  // A NUL-terminated name at `offset` in the string table `strtab`.
  std::string name(const Elf64_Shdr& strtab, uint64_t offset) const {
    std::string_view table = range(strtab.sh_offset, strtab.sh_size, "a string table");
    if (offset >= table.size()) fail("a name lies outside its string table");
    size_t end = table.find('\0', offset);
    if (end == std::string_view::npos) fail("a name in a string table is not terminated");
    return std::string(table.substr(offset, end - offset));
  }

  const std::string& where() const { return where_; }

 private:
  std::string_view bytes_;
  std::string where_;
};

bool is_code(const Elf64_Shdr& s) { return (s.sh_flags & SHF_EXECINSTR) != 0; }

// Sections the kernels need in memory: allocated code and data. Unwind tables are left
// out (kernels never unwind), and any other allocated kind is refused.
bool loads(const ElfFile& f, const Elf64_Shdr& s, const std::string& name) {
  if (!(s.sh_flags & SHF_ALLOC) || s.sh_type == SHT_X86_64_UNWIND || name == ".eh_frame") return false;
  if (s.sh_type != SHT_PROGBITS && s.sh_type != SHT_NOBITS)
    f.fail("section '" + name + "' has type " + std::to_string(s.sh_type) + ", which lmc does not load");
  if (s.sh_addralign > 4096 || (s.sh_addralign & (s.sh_addralign - 1)) != 0)
    f.fail("section '" + name + "' has alignment " + std::to_string(s.sh_addralign));
  if (s.sh_type == SHT_PROGBITS) f.range(s.sh_offset, s.sh_size, "section '" + name + "'");
  return true;
}

const void* outside_address(const ElfFile& f, const std::string& name) {
  for (const Outside& o : kOutside)
    if (name == o.name) return o.address;
  f.fail("the kernels call '" + name + "', which lmc does not provide to generated code");
}

struct Symbol {
  std::string name;
  Elf64_Sym sym;
  bool defined = false;   // in a loaded section, or absolute
  bool outside = false;   // resolved from kOutside
  uint64_t address = 0;   // offset in the mapping when defined in it, else the absolute address
};

struct Layout {
  std::vector<Elf64_Shdr> sections;
  std::vector<std::string> names;
  std::vector<bool> loaded;
  std::vector<size_t> offset;  // in the mapping, for loaded sections
  size_t code_end = 0;         // code and stubs end here; data starts at the next page
  size_t size = 0;
};

// The relocations that reach an outside symbol through a stub (calls) or a slot (GOT).
struct Indirections {
  std::map<uint32_t, size_t> stub;  // symbol index -> offset in the mapping
  std::map<uint32_t, size_t> slot;
};

bool via_got(uint32_t type) {
  return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}

// The mapping the kernels live in, unmapped unless released to a KernelObject.
struct Mapping {
  void* base = nullptr;
  size_t size = 0;
  Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    if (base) munmap(base, size);
  }
};

struct Linked {
  Mapping map;
  std::map<std::string, uintptr_t, std::less<>> functions;
};

class Linker {
 public:
  explicit Linker(const ElfFile& f) : f_(f) {}

  // Fills `out`: the sections placed, relocated and protected, and the functions defined.
  void link(Linked& out);

 private:
  void read_header();
  void read_sections();
  void read_symbols();
  std::vector<Elf64_Rela> relocations(const Elf64_Shdr& rela) const;
  void plan_indirections();
  void place();
  void apply(uint8_t* base, const Elf64_Shdr& rela, size_t target) const;
  uint64_t value_of(uint8_t* base, uint32_t index, uint32_t type) const;
  void protect(uint8_t* base) const;

  const ElfFile& f_;
  Elf64_Ehdr eh_{};
  Layout layout_;
  std::vector<Symbol> symbols_;
  size_t symtab_ = 0;
  Indirections ind_;
};

void Linker::read_header() {
  eh_ = f_.read<Elf64_Ehdr>(0);
  if (std::memcmp(eh_.e_ident, ELFMAG, SELFMAG) != 0) f_.fail("the kernel object is not an ELF file");
  if (eh_.e_ident[EI_CLASS] != ELFCLASS64 || eh_.e_ident[EI_DATA] != ELFDATA2LSB || eh_.e_machine != EM_X86_64)
    f_.fail("the kernel object is not for x86-64 (64-bit little-endian ELF)");
  if (eh_.e_type != ET_REL) f_.fail("the kernel object is not a relocatable object (ELF type " +
                                    std::to_string(eh_.e_type) + ")");
  if (eh_.e_shentsize != sizeof(Elf64_Shdr) || eh_.e_shnum == 0 || eh_.e_shstrndx >= eh_.e_shnum)
    f_.fail("the kernel object's section table is malformed");
}

void Linker::read_sections() {
  Layout& l = layout_;
  for (uint16_t i = 0; i < eh_.e_shnum; ++i)
    l.sections.push_back(f_.read<Elf64_Shdr>(eh_.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr)));
  const Elf64_Shdr& shstr = l.sections[eh_.e_shstrndx];
  size_t symtabs = 0;
  for (uint16_t i = 0; i < eh_.e_shnum; ++i) {
    const Elf64_Shdr& s = l.sections[i];
    l.names.push_back(i == 0 ? std::string() : f_.name(shstr, s.sh_name));
    l.loaded.push_back(i != 0 && loads(f_, s, l.names.back()));
    if (s.sh_type == SHT_SYMTAB) symtab_ = i, ++symtabs;
    if (s.sh_type == SHT_REL) f_.fail("section '" + l.names.back() + "' has relocations without addends");
  }
  if (symtabs != 1) f_.fail("the kernel object has " + std::to_string(symtabs) + " symbol tables, not one");
}

void Linker::read_symbols() {
  const Elf64_Shdr& st = layout_.sections[symtab_];
  if (st.sh_entsize != sizeof(Elf64_Sym) || st.sh_link >= layout_.sections.size())
    f_.fail("the kernel object's symbol table is malformed");
  f_.range(st.sh_offset, st.sh_size, "the symbol table");
  const Elf64_Shdr& strtab = layout_.sections[st.sh_link];
  for (uint64_t i = 0; i < st.sh_size / sizeof(Elf64_Sym); ++i) {
    Symbol s;
    s.sym = f_.read<Elf64_Sym>(st.sh_offset + i * sizeof(Elf64_Sym));
    s.name = s.sym.st_name ? f_.name(strtab, s.sym.st_name) : "";
    uint16_t shndx = s.sym.st_shndx;
    // The null symbol (index 0) is checked like the others: place() indexes the
    // sections by every symbol's st_shndx.
    if (shndx == SHN_UNDEF) {
      s.outside = i > 0;
      if (s.outside) s.address = reinterpret_cast<uint64_t>(outside_address(f_, s.name));
    } else if (shndx == SHN_ABS) {
      s.defined = true;
      s.address = s.sym.st_value;
    } else if (shndx >= layout_.sections.size()) {
      f_.fail("symbol '" + s.name + "' lies in section " + std::to_string(shndx) + ", which lmc does not load");
    }
    symbols_.push_back(std::move(s));
  }
}

std::vector<Elf64_Rela> Linker::relocations(const Elf64_Shdr& rela) const {
  if (rela.sh_entsize != sizeof(Elf64_Rela)) f_.fail("a relocation section is malformed");
  f_.range(rela.sh_offset, rela.sh_size, "a relocation section");
  std::vector<Elf64_Rela> out;
  for (uint64_t at = 0; at + sizeof(Elf64_Rela) <= rela.sh_size; at += sizeof(Elf64_Rela))
    out.push_back(f_.read<Elf64_Rela>(rela.sh_offset + at));
  return out;
}

// Relocation sections that patch a loaded section (the unwind tables' are skipped).
bool patches_loaded(const Layout& l, const Elf64_Shdr& s) {
  return s.sh_type == SHT_RELA && s.sh_info < l.sections.size() && l.loaded[s.sh_info];
}

void Linker::plan_indirections() {
  for (const Elf64_Shdr& s : layout_.sections) {
    if (!patches_loaded(layout_, s)) continue;
    for (const Elf64_Rela& r : relocations(s)) {
      uint32_t index = ELF64_R_SYM(r.r_info), type = ELF64_R_TYPE(r.r_info);
      if (index >= symbols_.size()) f_.fail("a relocation names symbol " + std::to_string(index) + ", past the table");
      if (via_got(type)) ind_.slot.emplace(index, 0);
      else if (symbols_[index].outside && (type == R_X86_64_PLT32 || type == R_X86_64_PC32))
        ind_.stub.emplace(index, 0);
    }
  }
}

void Linker::place() {
  Layout& l = layout_;
  l.offset.assign(l.sections.size(), 0);
  size_t at = 0;
  for (bool code : {true, false}) {
    if (!code) at = align_up(at, static_cast<size_t>(sysconf(_SC_PAGESIZE)));
    for (size_t i = 0; i < l.sections.size(); ++i) {
      if (!l.loaded[i] || is_code(l.sections[i]) != code) continue;
      at = align_up(at, std::max<size_t>(1, l.sections[i].sh_addralign));
      l.offset[i] = at;
      at += l.sections[i].sh_size;
    }
    std::map<uint32_t, size_t>& extra = code ? ind_.stub : ind_.slot;
    at = align_up(at, kStubBytes);
    for (auto& [index, offset] : extra) offset = at, at += code ? kStubBytes : kSlotBytes;
    if (code) l.code_end = at;
  }
  l.size = std::max<size_t>(at, 1);
  for (Symbol& s : symbols_) {
    uint16_t shndx = s.sym.st_shndx;
    if (s.outside || shndx == SHN_UNDEF || shndx == SHN_ABS || !l.loaded[shndx]) continue;
    if (s.sym.st_value > l.sections[shndx].sh_size)
      f_.fail("symbol '" + s.name + "' lies past the end of its section");
    s.defined = true;
    s.address = l.offset[shndx] + s.sym.st_value;
  }
}

// The symbol's address as the relocation of `type` sees it: a stub for calls that
// leave the object, the symbol itself otherwise.
uint64_t Linker::value_of(uint8_t* base, uint32_t index, uint32_t type) const {
  const Symbol& s = symbols_[index];
  if (auto it = ind_.stub.find(index); it != ind_.stub.end() && !via_got(type))
    return reinterpret_cast<uint64_t>(base + it->second);
  if (s.outside) return s.address;
  if (!s.defined) f_.fail("a relocation refers to '" + s.name + "', which lies in a section lmc does not load");
  return s.sym.st_shndx == SHN_ABS ? s.address : reinterpret_cast<uint64_t>(base) + s.address;
}

void Linker::apply(uint8_t* base, const Elf64_Shdr& rela, size_t target) const {
  const Elf64_Shdr& t = layout_.sections[target];
  for (const Elf64_Rela& r : relocations(rela)) {
    uint32_t index = ELF64_R_SYM(r.r_info), type = ELF64_R_TYPE(r.r_info);
    size_t width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
    if (type == R_X86_64_NONE) continue;
    if (t.sh_type == SHT_NOBITS || r.r_offset > t.sh_size || t.sh_size - r.r_offset < width)
      f_.fail("a relocation patches bytes outside section '" + layout_.names[target] + "'");
    uint8_t* at = base + layout_.offset[target] + r.r_offset;
    const uint64_t place = reinterpret_cast<uint64_t>(at);
    uint64_t s = value_of(base, index, type);
    uint64_t v;
    switch (type) {
      case R_X86_64_64: v = s + r.r_addend; break;
      case R_X86_64_PC64:
      case R_X86_64_PC32:
      case R_X86_64_PLT32: v = s + r.r_addend - place; break;
      case R_X86_64_GOTPCREL:
      case R_X86_64_GOTPCRELX:
      case R_X86_64_REX_GOTPCRELX: v = reinterpret_cast<uint64_t>(base + ind_.slot.at(index)) + r.r_addend - place; break;
      default: f_.fail("relocation type " + std::to_string(type) + " is not one lmc links");
    }
    if (width == 4) {
      auto sv = static_cast<int64_t>(v);
      if (sv < std::numeric_limits<int32_t>::min() || sv > std::numeric_limits<int32_t>::max())
        f_.fail("a relocation against '" + symbols_[index].name + "' does not fit in 32 bits");
      auto v32 = static_cast<int32_t>(sv);
      std::memcpy(at, &v32, 4);
    } else {
      std::memcpy(at, &v, 8);
    }
  }
}

void Linker::protect(uint8_t* base) const {
  size_t data = align_up(layout_.code_end, static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  if (layout_.code_end > 0 && mprotect(base, data, PROT_READ | PROT_EXEC) != 0)
    f_.fail("cannot make the kernels' code executable: " + std::string(std::strerror(errno)));
  bool writable = false;
  for (size_t i = 0; i < layout_.sections.size(); ++i)
    writable |= layout_.loaded[i] && (layout_.sections[i].sh_flags & SHF_WRITE);
  int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  if (layout_.size > data && mprotect(base + data, layout_.size - data, prot) != 0)
    f_.fail("cannot protect the kernels' data: " + std::string(std::strerror(errno)));
}

void Linker::link(Linked& out) {
  read_header();
  read_sections();
  read_symbols();
  plan_indirections();
  place();
  void* map = mmap(nullptr, layout_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) f_.fail("cannot map memory for the kernels: " + std::string(std::strerror(errno)));
  out.map.base = map;
  out.map.size = layout_.size;
  auto* base = static_cast<uint8_t*>(map);

  for (size_t i = 0; i < layout_.sections.size(); ++i) {
    const Elf64_Shdr& s = layout_.sections[i];
    if (layout_.loaded[i] && s.sh_type == SHT_PROGBITS)
      std::memcpy(base + layout_.offset[i], f_.range(s.sh_offset, s.sh_size, "a section").data(), s.sh_size);
  }
  for (const auto& [index, offset] : ind_.stub) {
    const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};  // jmp *0(%rip): the address follows
    std::memcpy(base + offset, jmp, sizeof jmp);
    std::memcpy(base + offset + sizeof jmp, &symbols_[index].address, 8);
  }
  for (const auto& [index, offset] : ind_.slot) {
    uint64_t address = value_of(base, index, R_X86_64_GOTPCREL);
    std::memcpy(base + offset, &address, 8);
  }
  for (const Elf64_Shdr& s : layout_.sections)
    if (patches_loaded(layout_, s)) apply(base, s, s.sh_info);
  protect(base);

  for (const Symbol& s : symbols_) {
    bool global = ELF64_ST_BIND(s.sym.st_info) == STB_GLOBAL || ELF64_ST_BIND(s.sym.st_info) == STB_WEAK;
    if (global && s.defined && ELF64_ST_TYPE(s.sym.st_info) == STT_FUNC && is_code(layout_.sections[s.sym.st_shndx]))
      out.functions[s.name] = reinterpret_cast<uintptr_t>(base) + s.address;
  }
}

}  // namespace

KernelObject::KernelObject(void* base, size_t size, std::string where,
                           std::map<std::string, uintptr_t, std::less<>> functions)
    : base_(base), size_(size), where_(std::move(where)), functions_(std::move(functions)) {}

KernelObject::~KernelObject() { munmap(base_, size_); }

std::unique_ptr<KernelObject> KernelObject::load(std::string_view elf, const std::string& where) {
  ElfFile f(elf, where);
  Linked linked;
  Linker(f).link(linked);
  std::unique_ptr<KernelObject> k(
      new KernelObject(linked.map.base, linked.map.size, where, std::move(linked.functions)));
  linked.map.base = nullptr;  // the object owns the mapping now
  return k;
}

std::unique_ptr<KernelObject> KernelObject::compile(codegen::KernelCompiler& compiler) {
  codegen::require_host_features(compiler.target());
  return load(compiler.compile(), "<kernels compiled for " + compiler.target().cpu + ">");
}

lmc_kernel_fn KernelObject::lookup(const std::string& name) const {
  auto it = functions_.find(name);
  if (it == functions_.end()) throw error_at(where_, "no kernel '" + name + "' in the kernel object");
  return reinterpret_cast<lmc_kernel_fn>(it->second);
}

}  // namespace lmc::runtime
