// lmc: compile transformer models to AVX2 kernels and run them.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "support/cancellation.h"
#include "support/error.h"
#include "support/thread_start.h"
#include "support/untrusted_text.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/lit/lit_source_place.h"
#include "tools/lmc/llama/version_text.h"
#include "tools/lmc/process/process_world.h"

namespace {

struct Command {
  const char* name;
  int (*fn)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
    {"compile", lmc::tools::cmd_compile, "lower a model YAML, optimize, generate kernels, write an artifact"},
    {"run", lmc::tools::cmd_run, "generate text from an artifact or a model YAML"},
    {"chat", lmc::tools::cmd_chat, "talk with a model, turn by turn, keeping the conversation in its KV cache"},
    {"serve", lmc::tools::cmd_serve, "serve the model over HTTP with OpenAI's API"},
    {"opt", lmc::tools::cmd_opt, "parse IR text, run passes, print the result"},
    {"exec", lmc::tools::cmd_exec, "compile a graph (IR text), run it on .npy or seeded inputs, compare pipelines"},
    {"lit", lmc::tools::cmd_lit, "run lit tests (lmc's own or a plugin's), a file or a folder, FileCheck and all"},
    {"encode-image", lmc::tools::cmd_encode_image, "encode an image with an mmproj's vision tower into embeddings"},
    {"inspect", lmc::tools::cmd_inspect, "describe a model YAML, GGUF or SafeTensors file, or an artifact"},
    {"verify", lmc::tools::cmd_verify, "check an artifact's seal, digests, IR and kernel table"},
    {"bench", lmc::tools::cmd_bench, "measure prefill and decode speed"},
    {"perplexity", lmc::tools::cmd_perplexity, "score a text: perplexity, and KL divergence against a base"},
    {"cache", lmc::tools::cmd_cache, "list or clear the compiled models kept for .gguf files and HF folders"},
};

void usage(std::ostream& os) {
  os << "usage: lmc <command> [options]   (lmc <command> --help for details)\n"
        "       lmc -m MODEL [options]     (as llama-cli: lmc run)\n\ncommands:\n";
  for (const auto& c : kCommands)
    os << "  " << c.name << std::string(14 - std::strlen(c.name), ' ') << c.summary << "\n";
  os << "\nexit codes: 0 success, 1 error, 2 usage error, 130 interrupted (SIGINT), 143 terminated (SIGTERM);\n"
        "lmc serve: 0 when a signal stops it once serving, 1 at a second signal while it drains\n";
}

// Runs command `c`, joining the MPI world first when mpirun started this process; the
// exit code, with an error on stderr.
int run_command(const Command& c, int argc, char** argv, std::unique_ptr<lmc::runtime::Collectives>& world) {
  std::string cmd = c.name;
  try {
    // Under mpirun every rank runs the same command on its share of the model; rank 0 prints.
    world = lmc::runtime::join_mpi_world(lmc::tools::collective_timeout());
    if (world && cmd != "run" && cmd != "bench")
      throw lmc::Error("lmc " + cmd +
                       ": error: runs alone, not under mpirun (lmc run and lmc bench split a model over ranks)");
    if (world && world->rank() != 0 && !std::freopen("/dev/null", "w", stdout))
      throw lmc::Error("lmc: error: cannot silence rank " + std::to_string(world->rank()) + "'s output");
    lmc::tools::set_process_world(world.get());
    return c.fn(argc, argv);
  } catch (const lmc::Cancelled& e) {
    std::cerr << "lmc " << cmd << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const lmc::tools::UsageError& e) {
    std::cerr << "lmc " << cmd << ": " << e.what() << " (see lmc " << cmd << " --help)\n";
    return 2;
  } catch (const lmc::Error& e) {
    // Messages quote names from input files, escaped as they were built (support/untrusted_text.h's
    // quoted_name); the rest is kept one line and free of escape sequences here too.
    std::cerr << lmc::terminal_safe(lmc::tools::lit_source_places(e.what())) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "lmc " << cmd << ": error: out of memory\n";
    return 1;
  } catch (const std::system_error& e) {
    // A thread the system would not start where no caller named it (support/thread_start.h).
    if (e.code() == std::errc::resource_unavailable_try_again) {
      std::cerr << "lmc " << cmd << ": error: cannot start a thread: " << lmc::thread_refusal(e) << "\n";
      return 1;
    }
    std::cerr << "lmc " << cmd << ": internal error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    // A bug (every expected failure is an lmc::Error), but still one line and exit 1, not an abort.
    std::cerr << "lmc " << cmd << ": internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return 0;
  }
  if (cmd == "--version") {
    std::cout << lmc::tools::version_text();
    return 0;
  }
  // `lmc -m M -p TEXT`, typed as llama-cli's command line: lmc run reads it.
  std::vector<char*> as_run;
  if (cmd.size() > 1 && cmd[0] == '-') {
    std::cerr << "lmc: no command given: running 'lmc run' with these options (as llama-cli; lmc --help lists the "
                 "commands)\n";
    static char run[] = "run";
    as_run = {argv[0], run};
    as_run.insert(as_run.end(), argv + 1, argv + argc + 1);  // and argv's closing null
    argv = as_run.data();
    argc += 1;
    cmd = run;
  }
  for (const auto& c : kCommands) {
    if (cmd != c.name) continue;
    lmc::cancel_on_signals();
    // Past a file-size limit (ulimit -f) a write fails with EFBIG, which each writer reports
    // (the compile cache goes on in memory), rather than the signal ending lmc.
    std::signal(SIGXFSZ, SIG_IGN);
    std::unique_ptr<lmc::runtime::Collectives> world;
    int code = run_command(c, argc, argv, world);
    // A rank that fails ends the job: the others would wait for it in their next
    // collective, and in MPI_Finalize, which waits for every rank.
    if (code != 0 && world && world->ranks() > 1) world->abort(code);
    return code;
  }
  std::cerr << "lmc: unknown command '" << cmd << "' (see lmc --help)\n";
  return 2;
}
