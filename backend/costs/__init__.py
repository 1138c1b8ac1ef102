"""The costs slice: what runs cost (priced by `engine.pricing`), aggregates by day, and budgets."""
