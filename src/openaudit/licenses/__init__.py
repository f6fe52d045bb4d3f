"""License knowledge: the catalog (rules/licenses/*.yaml), text identification and clause extraction."""
