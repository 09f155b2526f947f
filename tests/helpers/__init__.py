"""What the tests share, one set for unit/, ui/ and system/: the data folders (``paths``), playing
the app with Pilot (``pilot``), the store's sample answers (``progress``, ``progress_writer``) and
snippet processes (``processes``). Test modules import from here, never from one another."""
