"""Signed webhooks: endpoints businesses register and the deliveries sent to them. Shared by the
gateway (management API) and the notifier (delivery)."""
