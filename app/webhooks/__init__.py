"""Webhook endpoints, signed deliveries and their dispatcher (Standard Webhooks)."""
