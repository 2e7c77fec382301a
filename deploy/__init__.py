"""Deployment files (nginx, systemd) and the local production-shaped deployment (deploy.local)."""
