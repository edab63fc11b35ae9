#include "tools/lmc/output_file.h"

#include "support/pending_file.h"

namespace lmc::tools {

void write_output_file(const std::string& path, std::string_view bytes) {
  runtime::PendingFile f(path);
  f.write(bytes);
  f.commit();
}

}  // namespace lmc::tools
