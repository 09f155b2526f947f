"""Changes to Textual's and Rich's behaviour, each installed once by the app (see each module)."""
