CREATE (:OntologyVersion {
  seq: $seq, version: $version, languages: $languages, source: $source, checksum: $checksum,
  loadedAt: $loaded_at, active: false
})
