#pragma once

#include <QString>

#include <vector>

namespace meridian::sim {

// Dimension of the simulated embedding model (that of BAAI/bge-small-en-v1.5).
inline constexpr int kEmbeddingDimension = 384;

// A unit-length vector that depends only on the model and the text: the same input gives the
// same vector in every region and every run, as a real embedding model does, so replicas
// and caches downstream can be checked for consistency.
std::vector<double> embeddingVector(const QString &model, const QString &text, int dimension = kEmbeddingDimension);

} // namespace meridian::sim
