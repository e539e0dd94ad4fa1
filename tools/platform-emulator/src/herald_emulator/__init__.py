"""Herald platform emulator: an in-memory stand-in for the LinkedIn, X, Facebook and Instagram APIs."""
