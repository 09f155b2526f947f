from quiz_app.cli import main

raise SystemExit(main())
