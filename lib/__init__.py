"""Model-free helpers. Nothing in lib imports from the project's apps."""
