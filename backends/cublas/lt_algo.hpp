// Naming what cuBLASLt chose, for the `implementation` column: the algorithm id and every configuration attribute
// cuBLASLt exposes (tile, stages, split-k and its reduction, CTA swizzling, custom option, inner and cluster shape).
#pragma once

#include <cublasLt.h>

#include <string>

namespace dlbench {

// The enum names cuBLASLt gives tile, stage and cluster-shape ids ("256x128", "128xAUTO", "2x1x1"), read from the
// cublasLt.h this backend is built against (generated at configure time); "id<N>" for ids it does not list.
std::string lt_tile_name(int id);
std::string lt_stages_name(int id);
std::string lt_cluster_name(int id);
std::string lt_reduction_name(int scheme);

// "algo 66 tile 256x128 stages 128xAUTO splitk 1 reduction none swizzle 0 custom 0 inner 0 cluster 2x1x1".
std::string describe_lt_algo(const cublasLtMatmulAlgo_t& algo);

}  // namespace dlbench
