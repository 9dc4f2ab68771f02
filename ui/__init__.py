"""Streamlit-only helpers: auth guard and menu, strings, cached resources, components."""
