"""The vessel registry: the fisheries authority's CSV, validated and upserted by number."""
