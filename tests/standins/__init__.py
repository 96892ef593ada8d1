"""Stand-ins for servers that cannot run here (each says so in its docstring)."""
