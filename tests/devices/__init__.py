"""Device driver tests: protocol emulators, simulators and shared contract tests."""
