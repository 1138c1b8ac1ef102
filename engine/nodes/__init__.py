"""Node executors: what each node kind does when it runs."""
