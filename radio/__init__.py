"""Loa Xã, the application: settings, the command line, and (soon) the API and console."""
