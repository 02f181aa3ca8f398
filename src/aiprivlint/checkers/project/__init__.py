"""Project rules (phase 2): they decide from the facts of one project, never from file contents."""
