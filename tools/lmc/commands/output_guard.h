// Refuses an output path that names one of the command's inputs, so that
// `lmc compile m.yaml -o m.gguf` cannot replace the weights it is reading. "Names" means
// the same file: same device and inode once symlinks are followed, so a symlink or hard
// link to an input is caught too. A directory input (SafeTensors shards) covers its files.
#pragma once
#include <string>
#include <vector>

namespace lmc::tools {

struct InputFile {
  std::string path;
  std::string role;  // for the message: "the model definition", "the weights", ...
};

// Throws lmc::Error "<out>: error: ..." naming the input.
void refuse_input_as_output(const std::string& out, const std::vector<InputFile>& inputs);

}  // namespace lmc::tools
