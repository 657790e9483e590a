// Declares faiss::idx_t, which FAISS 1.7.3 lacks at namespace level.
#pragma once
#include <cstdint>

namespace faiss {
using idx_t = int64_t;
}
