"""The one command surface every front calls: the command table, answers and error codes."""
