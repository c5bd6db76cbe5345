"""actorlab."""
