"""Bulk import: case bundles as JSON Lines, processed in the background, each bundle all or nothing."""
