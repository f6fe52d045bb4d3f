"""The rule engine: rules as YAML data (rules/*.yaml), a closed operator vocabulary, a facts document."""
