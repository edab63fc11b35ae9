// Collectives: the in-process world tests use for sharded graphs, and join_mpi_world's
// decision from the launcher's environment. The MPI world itself needs mpirun, which
// ctest does not start.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "in_process_collectives.h"
#include "runtime/collectives.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using testing::InProcessWorld;

// Runs `body(rank)` on one thread per rank; returns each rank's error message, empty
// when it finished without one.
template <class Body>
std::vector<std::string> on_every_rank(int ranks, Body body) {
  std::vector<std::string> errors(static_cast<size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      try {
        body(r);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  for (std::thread& t : threads) t.join();
  return errors;
}

// A byte that differs by round, rank and position, so that a mixup of any two shows.
uint8_t pattern(int round, int rank, size_t i) {
  return static_cast<uint8_t>(round * 31 + rank * 97 + static_cast<int>(i) * 7 + 1);
}

// Varies the size too, so that a round reading another round's buffer shows.
size_t round_bytes(int round) { return 1 + static_cast<size_t>(round % 37) * 5; }

constexpr int kRounds = 200;

class CollectivesWorld : public ::testing::TestWithParam<int> {};

TEST_P(CollectivesWorld, AllGatherPutsEveryRankInOrder) {
  int ranks = GetParam();
  InProcessWorld world(ranks, 10.0);
  std::vector<std::string> errors = on_every_rank(ranks, [&](int r) {
    Collectives& c = world.rank(r);
    ASSERT_EQ(c.rank(), r);
    ASSERT_EQ(c.ranks(), ranks);
    for (int round = 0; round < kRounds; ++round) {
      size_t bytes = round_bytes(round);
      std::vector<uint8_t> in(bytes), out(bytes * static_cast<size_t>(ranks), 0xee);
      for (size_t i = 0; i < bytes; ++i) in[i] = pattern(round, r, i);
      c.all_gather(in.data(), out.data(), bytes);
      for (int from = 0; from < ranks; ++from)
        for (size_t i = 0; i < bytes; ++i)
          if (out[static_cast<size_t>(from) * bytes + i] != pattern(round, from, i))
            throw Error("round " + std::to_string(round) + ": rank " + std::to_string(from) + "'s byte " +
                        std::to_string(i) + " is wrong");
    }
  });
  for (int r = 0; r < ranks; ++r) EXPECT_EQ(errors[static_cast<size_t>(r)], "") << "rank " << r;
}

TEST_P(CollectivesWorld, BroadcastGivesRankZerosBytesToAll) {
  int ranks = GetParam();
  InProcessWorld world(ranks, 10.0);
  std::vector<std::string> errors = on_every_rank(ranks, [&](int r) {
    Collectives& c = world.rank(r);
    for (int round = 0; round < kRounds; ++round) {
      size_t bytes = round_bytes(round);
      std::vector<uint8_t> data(bytes);
      for (size_t i = 0; i < bytes; ++i) data[i] = pattern(round, r, i);
      c.broadcast(data.data(), bytes);
      for (size_t i = 0; i < bytes; ++i)
        if (data[i] != pattern(round, 0, i))
          throw Error("round " + std::to_string(round) + ": byte " + std::to_string(i) + " is not rank 0's");
    }
  });
  for (int r = 0; r < ranks; ++r) EXPECT_EQ(errors[static_cast<size_t>(r)], "") << "rank " << r;
}

INSTANTIATE_TEST_SUITE_P(Ranks, CollectivesWorld, ::testing::Values(2, 3));

TEST(Collectives, RankThatNeverArrivesTimesTheOthersOut) {
  constexpr int kRanks = 3;
  constexpr double kTimeout = 0.2;
  InProcessWorld world(kRanks, kTimeout);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> errors = on_every_rank(kRanks, [&](int r) {
    if (r == kRanks - 1) return;
    uint32_t in = static_cast<uint32_t>(r), out[kRanks];
    world.rank(r).all_gather(&in, out, sizeof in);
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int r = 0; r < kRanks - 1; ++r)
    EXPECT_EQ(errors[static_cast<size_t>(r)],
              "rank " + std::to_string(r) +
                  ": error: no answer from the other ranks within 0.2 s in all_gather (a rank "
                  "died or hangs)");
  EXPECT_EQ(errors[kRanks - 1], "");
  EXPECT_GE(seconds, kTimeout);
  EXPECT_LT(seconds, 5.0);
}

TEST(Collectives, BroadcastTimesOutToo) {
  InProcessWorld world(2, 0.2);
  uint32_t token = 7;
  try {
    world.rank(0).broadcast(&token, sizeof token);
    FAIL() << "broadcast returned without rank 1";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0: error: no answer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("in broadcast"), std::string::npos) << e.what();
  }
}

// Sets or unsets the launcher's variables for one test and puts them back after it, as
// the binary may run every test in one process.
class LauncherEnv {
 public:
  LauncherEnv() {
    for (const char* name : kNames)
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
    for (const char* name : kNames) ::unsetenv(name);
  }
  ~LauncherEnv() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  LauncherEnv(const LauncherEnv&) = delete;
  LauncherEnv& operator=(const LauncherEnv&) = delete;
  void set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST(Collectives, StartedAloneJoinsNoWorld) {
  LauncherEnv env;
  EXPECT_EQ(join_mpi_world(0.2), nullptr);
}

TEST(Collectives, WorldOfOneJoinsNoWorld) {
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "1");
  EXPECT_EQ(join_mpi_world(0.2), nullptr);
}

TEST(Collectives, PmiWorldOfOneJoinsNoWorld) {
  LauncherEnv env;
  env.set("PMI_SIZE", "1");
  EXPECT_EQ(join_mpi_world(0.2), nullptr);
}

TEST(Collectives, OpenMpiSizeComesBeforePmi) {
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "1");
  env.set("PMI_SIZE", "2");
  EXPECT_EQ(join_mpi_world(0.2), nullptr);
}

TEST(Collectives, MalformedWorldSizeIsAnError) {
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "two");
  try {
    join_mpi_world(0.2);
    FAIL() << "accepted OMPI_COMM_WORLD_SIZE=two";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "lmc: error: the launcher set OMPI_COMM_WORLD_SIZE=two, which is not a world size");
  }
}

TEST(Collectives, WorldOfTwoWithoutMpiIsAnError) {
  if (built_with_mpi()) GTEST_SKIP() << "with MPI, a world of two would call MPI_Init";
  LauncherEnv env;
  env.set("OMPI_COMM_WORLD_SIZE", "2");
  try {
    join_mpi_world(0.2);
    FAIL() << "joined a world of two without MPI";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "lmc: error: started by mpirun with 2 ranks, but this lmc was built without MPI "
                 "(install libopenmpi-dev and rebuild)");
  }
}

}  // namespace
}  // namespace lmc::runtime
