"""Herald notifier: signed webhook deliveries of post lifecycle events."""
