"""Organizations: re-integratiebureaus, werkgevers and arbodiensten."""
