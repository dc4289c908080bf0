from genimg_desktop.cli import main

raise SystemExit(main())
