# Shufang kiosk. `make demo` and `make test` work on a fresh machine: they install the Debian
# packages that are missing (when run as root), create .venv and install the project into it.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Debian packages: CJK fonts (Chinese on screen and on receipts), the libraries Qt needs
# offscreen, PostgreSQL for the central service's tests, Chromium for the fleet-page tests,
# systemd-analyze for the units' hardening test, espeak-ng for the spoken prompts (ui.voice)
# (.ci/package-check installs its own tools).
DEB_PACKAGES := fonts-noto-cjk fontconfig libegl1 libgl1 libxkbcommon0 libfontconfig1 \
                libdbus-1-3 libglib2.0-0 postgresql socat chromium libusb-1.0-0 \
                libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
                libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 \
                systemd espeak-ng
PYTEST_ARGS ?=

.PHONY: demo test bench lint typecheck format deps venv clean deb

demo: deps $(STAMP)
	$(VENV)/bin/shufang demo

test: deps $(STAMP)
	@echo "==> running the test suite"
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: deps $(STAMP)
	$(PY) -m tests.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "==> Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "==> installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null && echo "==> installed:$$missing"; \
	else echo "==> missing Debian packages (run as root or install them):$$missing"; fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) and installing shufang-kiosk with its test and central extras"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[central,sip2,test]'
	@touch $(STAMP)

# The Debian packages shufang, shufang-kiosk and shufang-central in dist/ (see
# packaging/deb/build.py and docs/install.md). DEB_VERSION=0.1.0-2 overrides the version.
deb:
	$(PYTHON) packaging/deb/build.py $(if $(DEB_VERSION),--version $(DEB_VERSION))

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
