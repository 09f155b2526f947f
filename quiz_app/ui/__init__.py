"""The Textual UI. It calls into the domain packages (bank, runner, progress); they never call it."""
