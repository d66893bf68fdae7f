// Reading allreduce shape tables (shapes/allreduce/README.md) and size sweeps.
//
// A row gives each rank's buffer either in bytes (sizes that frameworks and nccl-tests define in bytes: fusion
// buckets, power-of-two sweeps) or as an element count (gradients, defined by parameter counts), never both; the
// run's type turns one into the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/dtype.hpp"
#include "common/shape_table.hpp"

namespace dlbench {

struct AllReduceTableRow {
  std::string label;
  int line = 0;
  std::optional<std::int64_t> bytes, count;  // exactly one is set

  // The element count in `type`; nullopt when `bytes` is not a whole number of its elements (*why says so).
  std::optional<std::int64_t> count_in(DataType type, std::string* why = nullptr) const;
};

// Throws InputError naming the file, line and field: a header with neither `bytes` nor `count`, a row with both or
// neither, a value that is not a positive integer, a duplicate label.
std::vector<AllReduceTableRow> read_allreduce_rows(const ShapeTable& table);

// nccl-tests' -b/-e/-f as one flag value "MIN:MAX:FACTOR" (sizes with an optional K, M or G, powers of 1024, and an
// optional trailing B or iB): the sizes MIN, MIN·FACTOR, ... up to MAX, as rows labelled `sweep/<size>`.
std::vector<AllReduceTableRow> sweep_rows(const std::string& spec, const std::string& where);
// "8B", "64KiB", "1GiB": the largest binary unit that divides the size exactly.
std::string size_label(std::int64_t bytes);
// "8", "8B", "64K", "64KiB", "1G" → bytes. Throws InputError naming `where`.
std::int64_t parse_byte_size(const std::string& text, const std::string& where);

}  // namespace dlbench
