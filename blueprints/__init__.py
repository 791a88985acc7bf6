"""Thin views and forms per area, and the Flask-Admin setup (admin/)."""
