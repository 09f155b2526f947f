"""The bottom layer: what every other package may use, importing nothing of quiz_app.

``i18n`` (the interface's language), ``locations`` (every user path) and ``terminal_text``
(control characters made visible, terminal cell widths).
"""
