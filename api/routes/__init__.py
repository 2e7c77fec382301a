"""The endpoints, one router per concern."""
