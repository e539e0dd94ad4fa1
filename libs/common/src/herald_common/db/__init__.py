"""PostgreSQL wiring: the pool factory and the migrations runner."""
