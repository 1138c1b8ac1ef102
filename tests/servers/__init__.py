"""Real HTTP servers on 127.0.0.1 for the whole test suite: a fake OpenAI API and a counting server."""
