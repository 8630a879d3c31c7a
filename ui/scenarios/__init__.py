"""Built-in demo scenarios (text files read by ``ui.scenario``); a package so they ship."""
